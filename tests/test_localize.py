"""Localize: interface words from reportkit's catalog, CLDR dates, locale codes, translated artwork."""
import pytest

from reportkit.catalog_ui import translations
from reportkit.load import load
from reportkit.locales import parse_locale
from reportkit.localize import localize
from reportkit.resolve import resolve
from reportkit.ui_strings import LABELS, WORDS


def test_every_interface_word_is_translated_for_zh_hant():
    zh = translations("zh_Hant")
    missing = [w for w in list(WORDS) + list(LABELS.values()) if zh.gettext(w) == w]
    assert missing == []


def test_locale_codes_in_every_spelling():
    code = parse_locale("zh-Hant")
    assert (code.bcp47, code.gettext, code.babel, code.typst_lang, code.typst_region) == ("zh-Hant", "zh_Hant", "zh_Hant_TW", "zh", "TW")
    assert parse_locale("zh_Hant") == code
    assert parse_locale("en").typst_region == "" and not parse_locale("en").is_cjk
    with pytest.raises(ValueError):
        parse_locale("not a tag!")


def test_labels_and_dates_follow_the_locale(example_copy):
    resolved = resolve(load(example_copy))
    from reportkit.presentation import date_text, label
    en = localize(resolved)
    assert (label(en, "tab-results"), label(en, "sec-data"), label(en, "ch-findings")) == ("Table 1", "Section 1.1", "Chapter 2")
    assert date_text(en) == "March 2026"
    zh = localize(resolved, "zh-Hant", {})
    assert (label(zh, "tab-results"), label(zh, "sec-data"), label(zh, "ch-findings")) == ("表 1", "第 1.1 節", "第 2 章")
    assert date_text(zh) == "2026年3月"


def test_translated_artwork_replaces_the_source_image(example_copy):
    (example_copy / "figures" / "flow.zh-Hant.svg").write_text((example_copy / "figures" / "flow.svg").read_text().replace("content", "內容"))
    resolved = resolve(load(example_copy))
    zh = localize(resolved, "zh-Hant", {})
    from reportkit.model import Figure
    from reportkit.walk import blocks
    fig = next(b for b in blocks(zh.report) if isinstance(b, Figure) and b.id == "fig-flow")
    assert fig.image.name == "flow.zh-Hant.svg"
    src = next(b for b in blocks(resolved.report) if isinstance(b, Figure) and b.id == "fig-flow")
    assert src.image.name == "flow.svg"  # the source edition is untouched


def test_author_names_go_through_the_catalogs(example_copy, tmp_path):
    import polib

    from reportkit.build import BuildOptions, build
    from reportkit.cli import main

    assert main(["i18n", "update", str(example_copy), "--lang", "zh-Hant"]) == 0
    po_path = example_copy.parents[1] / "locales" / "zh-Hant" / "example" / "report.po"
    po = polib.pofile(str(po_path))
    entry = po.find("Lin Example")
    assert entry is not None and "Author's name" in entry.comment
    entry.msgstr = "林範例"
    po.save(str(po_path))
    result = build(example_copy, BuildOptions(out=tmp_path / "out", langs=["zh-Hant"]))
    html = (tmp_path / "out" / "example" / "example.zh-Hant.html").read_text(encoding="utf-8")
    assert "林範例" in html and "Ada Example" in html  # the untranslated name stays as written
    import subprocess
    pdf = subprocess.run(["pdftotext", str(tmp_path / "out" / "example" / "example.zh-Hant.pdf"), "-"], capture_output=True, text=True).stdout
    assert "林範例" in pdf
    assert result.artifacts


def test_every_interface_word_a_writer_prints_is_in_the_closed_list():
    """The untranslated-interface-words check (catalog_ui) knows only ui_strings: a word a template or a
    writer translates that is not listed there would print in English in a new language without a warning."""
    import re
    from pathlib import Path

    from reportkit.ui_strings import LABELS, WORDS

    src = Path(__file__).resolve().parents[1] / "src" / "reportkit"
    files = [*src.glob("*.py"), *src.glob("styles/base/html/*.j2")]
    used = {m.group(2) for f in files for m in re.finditer(r"""\b_\((["'])(.+?)\1""", f.read_text(encoding="utf-8"))}
    assert used, "no interface words found: the pattern is wrong"
    assert sorted(used - set(WORDS) - set(LABELS.values())) == []
