"""brand.yaml is checked by a schema: every problem at its file:line:col, unknown keys at any depth refused;
brands are found through a search path of styles folders."""
import shutil

import pytest

from reportkit.brand import base_folder, brand_names, builtin_styles, load_brand
from reportkit.errors import ReportError

GOOD = """\
name: Custom
colors:
  primary: "#0E3A5B"
  accent: "#B23A22"
  text: "#1F2328"
  muted: "#5B6470"
  surface: "#EEF3F7"
  rule: "#B9C6D2"
  on-primary: "#ffffff"
fonts:
  latin:
    serif: Noto Serif
    sans: Noto Sans
  cjk:
    serif: Noto Serif CJK TC
    sans: Noto Sans CJK TC
type:
  body-size: 11
page:
  size: a5
  margin: {top: 20, bottom: 20, inside: 18, outside: 18}
logo: logo.svg
"""


def brand_folder(tmp_path, text=GOOD, name="custom"):
    styles = tmp_path / "styles"
    folder = styles / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brand.yaml").write_text(text)
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    return styles


def errors(tmp_path, text, monkeypatch):
    """The diagnostics of loading `text` as brand.yaml, as printed (paths relative to tmp_path)."""
    styles = brand_folder(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReportError) as e:
        load_brand("custom", [styles, builtin_styles()])
    return [str(d) for d in e.value.diagnostics]


def test_builtin_brands_load():
    dset, plain = load_brand("dset", [builtin_styles()]), load_brand("plain", [builtin_styles()])
    assert dset.notes == "endnotes" and plain.notes == "footnotes"
    assert dset.colors["primary"] == "#0E3A5B" and list(dset.colors) == ["primary", "accent", "text", "muted", "surface", "rule", "on-primary"]
    assert plain.paper == "us-letter" and dset.margin == {"top": 26.0, "bottom": 28.0, "inside": 31.0, "outside": 49.4}
    assert dset.imprint == {"address": None, "website": "dset.tw", "licence": None} and dset.cover_art is None
    assert dset.logo and dset.logo.name == "logo.svg"
    assert dset.base == builtin_styles() / "base"
    assert (builtin_styles() / "base").is_dir()


def test_defaults_and_unset_notes(tmp_path):
    b = load_brand("custom", [brand_folder(tmp_path), builtin_styles()])
    assert b.notes is None  # unset: the report or the built-in default decides
    assert b.name == "Custom" and b.paper == "a5" and b.colors["on-primary"] == "#FFFFFF"
    assert b.type == {"body-size": 11.0, "body-leading": 0.7, "cjk-body-size": 10.5, "cjk-leading": 1.0}
    assert b.margin["top"] == 20.0 and isinstance(b.margin["top"], float)
    assert b.running_header == "title" and b.cover == "band" and b.fonts["mono"] == "DejaVu Sans Mono"


def test_a_misspelt_key_is_not_also_reported_missing(tmp_path, monkeypatch):
    got = errors(tmp_path, GOOD.replace("  accent:", "  acent:").replace("fonts:", "font:"), monkeypatch)
    assert got == ['styles/custom/brand.yaml:4:3: error: unknown key "acent" in colors (did you mean "accent"?); '
                   "colors takes primary, accent, text, muted, surface, rule, on-primary",
                   'styles/custom/brand.yaml:10:1: error: unknown brand key "font" (did you mean "fonts"?); brand.yaml takes '
                   "name, colors, fonts, type, page, logo, notes, running-header, cover, cover-art, imprint, citations"]


def test_notes_set_is_kept(tmp_path):
    b = load_brand("custom", [brand_folder(tmp_path, GOOD + "notes: footnotes\n"), builtin_styles()])
    assert b.notes == "footnotes"


@pytest.mark.parametrize("edit,expected", [
    (("colors:", "colours:"), 'styles/custom/brand.yaml:2:1: error: unknown brand key "colours" (did you mean "colors"?)'),
    (("  primary:", "  primry:"), 'styles/custom/brand.yaml:3:3: error: unknown key "primry" in colors (did you mean "primary"?)'),
    (("    serif: Noto Serif\n", "    serf: Noto Serif\n"), 'styles/custom/brand.yaml:12:5: error: unknown key "serf" in fonts.latin (did you mean "serif"?)'),
    (("{top: 20,", "{topp: 20,"), 'styles/custom/brand.yaml:21:12: error: unknown key "topp" in page.margin (did you mean "top"?)'),
    (("  body-size: 11", "  body-sise: 11"), 'styles/custom/brand.yaml:18:3: error: unknown key "body-sise" in type (did you mean "body-size"?)'),
    (("logo: logo.svg", "logo: logo.svg\nrunning-headr: chapter"), 'styles/custom/brand.yaml:23:1: error: unknown brand key "running-headr" (did you mean "running-header"?)'),
])
def test_unknown_keys_at_any_depth(tmp_path, monkeypatch, edit, expected):
    got = errors(tmp_path, GOOD.replace(*edit), monkeypatch)
    assert got[0].startswith(expected), got
    assert len([g for g in got if "unknown" in g]) == 1


def test_unknown_key_lists_what_is_allowed(tmp_path, monkeypatch):
    got = errors(tmp_path, GOOD + "watermark: yes\n", monkeypatch)
    assert got == ['styles/custom/brand.yaml:23:1: error: unknown brand key "watermark"; brand.yaml takes '
                   'name, colors, fonts, type, page, logo, notes, running-header, cover, cover-art, imprint, citations']


@pytest.mark.parametrize("edit,expected", [
    (('primary: "#0E3A5B"', "primary: navy"), 'brand.yaml:3:12: error: colors.primary must be a "#RRGGBB" color, not "navy"'),
    (('accent: "#B23A22"', "accent: 0xB23A22"), 'brand.yaml:4:11: error: colors.accent must be a "#RRGGBB" color, not 11680290'),
    (("serif: Noto Serif\n", "serif: Noto;Serif\n"), "brand.yaml:12:12: error: fonts.latin.serif must be a font family name (letters, digits, spaces), not \"Noto;Serif\""),
    (("sans: Noto Sans CJK TC", "sans: [a, b]"), "brand.yaml:16:11: error: fonts.cjk.sans must be a font family name (letters, digits, spaces), not a list"),
    (("body-size: 11", "body-size: 50"), "brand.yaml:18:14: error: type.body-size must be a number greater than 0 and below 40, not 50"),
    (("body-size: 11", "body-size: big"), 'brand.yaml:18:14: error: type.body-size must be a number greater than 0 and below 40, not "big"'),
    (("body-size: 11", "body-size: true"), "brand.yaml:18:14: error: type.body-size must be a number greater than 0 and below 40, not true"),
    (("size: a5", "size: letter"), 'brand.yaml:20:9: error: page.size must be one of a4, us-letter, a5, not "letter" (did you mean "us-letter"?)'),
    (("bottom: 20", "bottom: 70"), "brand.yaml:21:29: error: page.margin.bottom must be a number of millimetres between 5 and 60, not 70"),
    (("logo: logo.svg", "logo: logo.svg\nnotes: sidenotes"), 'brand.yaml:23:8: error: notes must be one of endnotes, footnotes, not "sidenotes" (did you mean "endnotes"?)'),
    (("logo: logo.svg", "logo: logo.svg\nrunning-header: chaptr"), 'brand.yaml:23:17: error: running-header must be one of title, chapter, none, not "chaptr" (did you mean "chapter"?)'),
    (("logo: logo.svg", "logo: logo.svg\ncover: full"), 'brand.yaml:23:8: error: cover must be one of band, plain, not "full"'),
    (("name: Custom", "name: [a]"), "brand.yaml:1:7: error: name must be text, not a list"),
    (("body-size: 11", 'body-size: "11"'), 'brand.yaml:18:14: error: type.body-size must be a number greater than 0 and below 40, not "11"'),
    (("type:\n  body-size: 11", "type: 11"), "brand.yaml:17:7: error: type must be a mapping of body-size, body-leading, cjk-body-size and cjk-leading, not 11"),
])
def test_bad_values_are_located(tmp_path, monkeypatch, edit, expected):
    assert GOOD.count(edit[0]) == 1
    got = errors(tmp_path, GOOD.replace(*edit), monkeypatch)
    assert got == ["styles/custom/" + expected], got


def test_missing_values(tmp_path, monkeypatch):
    got = errors(tmp_path, GOOD.replace('  accent: "#B23A22"\n', "").replace("    sans: Noto Sans\n", ""), monkeypatch)
    assert got == ['styles/custom/brand.yaml:2:1: error: colors.accent is missing; add it: a "#RRGGBB" color',
                   "styles/custom/brand.yaml:10:3: error: fonts.latin.sans is missing; add it: a font family name (letters, digits, spaces)"]
    got = errors(tmp_path, "name: x\n", monkeypatch)
    assert got[0].startswith('styles/custom/brand.yaml:1:1: error: colors is missing; add it: a mapping of primary, accent')


@pytest.mark.parametrize("logo,why", [("../dset/logo.svg", "outside"), ("missing.svg", "missing"), ("logo.png", "not svg")])
def test_logo_must_be_an_svg_inside_the_brand(tmp_path, monkeypatch, logo, why):
    (tmp_path / "styles" / "custom").mkdir(parents=True)
    (tmp_path / "styles" / "custom" / "logo.png").write_bytes(b"png")
    (tmp_path / "styles" / "dset").mkdir()
    (tmp_path / "styles" / "dset" / "logo.svg").write_text("<svg/>")
    got = errors(tmp_path, GOOD.replace("logo: logo.svg", f"logo: {logo}"), monkeypatch)
    assert got == [f'styles/custom/brand.yaml:22:7: error: logo "{logo}" must be an SVG file inside styles/custom/'], why


def test_every_problem_at_once_in_file_order(tmp_path, monkeypatch):
    text = GOOD.replace("primary: \"#0E3A5B\"", "primary: blue").replace("size: a5", "size: b5").replace("colors:", "colors:\n  extra: \"#000000\"")
    got = errors(tmp_path, text, monkeypatch)
    assert len(got) == 3 and [int(g.split(":")[1]) for g in got] == sorted(int(g.split(":")[1]) for g in got)


def test_not_a_mapping(tmp_path, monkeypatch):
    assert errors(tmp_path, "- a\n- b\n", monkeypatch) == ["styles/custom/brand.yaml: error: brand.yaml must be a mapping of brand keys, not a list"]


# ---------------- search path ----------------

def test_project_brand_inherits_base_without_copying_it(tmp_path):
    styles = brand_folder(tmp_path)
    b = load_brand("custom", [styles, builtin_styles()])
    assert b.folder == styles / "custom"
    assert b.base == builtin_styles() / "base"
    assert b.template("report.typ") == builtin_styles() / "base" / "report.typ"
    (styles / "custom" / "report.typ").write_text("// own")
    assert b.template("report.typ") == styles / "custom" / "report.typ"


def test_project_base_wins_over_builtin_base(tmp_path):
    styles = brand_folder(tmp_path)
    (styles / "base").mkdir()
    assert base_folder([styles, builtin_styles()]) == styles / "base"
    assert load_brand("dset", [styles, builtin_styles()]).base == styles / "base"


def test_project_brand_shadows_builtin_one(tmp_path):
    styles = brand_folder(tmp_path, name="dset")
    assert load_brand("dset", [styles, builtin_styles()]).name == "Custom"
    assert load_brand("plain", [styles, builtin_styles()]).name == "Plain"
    assert brand_names([styles, builtin_styles()]) == ["dset", "plain"]


def test_unknown_brand_names_the_search_path(tmp_path, monkeypatch):
    styles = brand_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReportError) as e:
        load_brand("custon", [styles, builtin_styles()])
    message = str(e.value)
    assert message.startswith("styles/custon/brand.yaml: error: no brand \"custon\" in styles or ")
    assert '(did you mean "custom"?); brands: custom, dset, plain' in message
    with pytest.raises(ReportError):
        load_brand("../custom", [styles])


def test_default_search_follows_the_current_folder_not_the_import(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no styles/ here: reportkit's own brands
    assert load_brand("dset").folder.resolve() == (builtin_styles() / "dset").resolve()
    brand_folder(tmp_path)  # now the project has styles/custom
    assert load_brand("custom").folder.resolve() == (tmp_path / "styles" / "custom").resolve()
    assert load_brand("plain").name == "Plain"  # still found among the built-in ones
    assert brand_names() == ["custom", "dset", "plain"]


def test_no_styles_folder_is_computed_at_import():
    import reportkit.brand as brand

    assert not hasattr(brand, "STYLES")


def test_single_folder_argument_still_works(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(builtin_styles() / "plain", styles / "custom")
    b = load_brand("custom", styles)
    assert b.name == "Plain" and b.base == builtin_styles() / "base"
