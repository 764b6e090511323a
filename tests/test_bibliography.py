"""The optional bibliography (`citations: {bibliography: true}`, or the brand's default): the same entries in
the same order in every output and language, Chinese sources the Chinese way with their language tags,
in the contents and the PDF outline; glyph coverage of what references print; a report's own CSL style."""
import html
import re
import shutil
import subprocess
import sys

import pikepdf
import pytest

from conftest import EXAMPLE, FLAGSHIP
from reportkit import glyphs
from reportkit.brand import load_brand
from reportkit.build import BuildOptions, build
from reportkit.errors import ReportError
from reportkit.load import load
from reportkit.localize import localize
from reportkit.presentation import bibliography_on, typeset
from reportkit.render_html import render_html
from reportkit.render_typst import render_typst
from reportkit.resolve import resolve

LANGS = ["en", "zh-Hant"]
TITLES = {"en": "Bibliography", "zh-Hant": "參考文獻"}
NOTES = {"en": "Notes", "zh-Hant": "註釋"}
OPTION = "  bibliography: true"


def _norm(text: str) -> str:
    return "".join(text.split())


def _entries(folder, lang="en", brand="dset"):
    resolved = resolve(load(folder))
    ed = localize(resolved, lang, {}) if lang != "en" else localize(resolved)
    bib = typeset(ed, bibliography_on(ed.report, load_brand(brand))).report.bibliography
    return None if bib is None else [e.plain() for e in bib.entries]


def _without_option(folder):
    f = folder / "report.yaml"
    f.write_text(re.sub(r"(?m)^" + OPTION + r".*\n", "", f.read_text(encoding="utf-8")), encoding="utf-8")


def _outline(path) -> list[str]:
    """The PDF's bookmarks, in document order."""
    def walk(items):
        for item in items:
            yield item.title
            yield from walk(item.children)

    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        return list(walk(outline.root))


def _in_order(text: str, entries) -> None:
    flat, pos = _norm(text), 0
    for entry in entries:
        found = flat.find(_norm(entry), pos)
        assert found >= 0, (entry, flat[pos:pos + 300])
        pos = found + len(_norm(entry))


def _pdf_bibliography(path, title) -> str:
    """The PDF's text from its bibliography heading on (the first line that is only the title: the contents
    line has a page number, the running heads come after it)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    lines = text.splitlines()
    start = min(i for i, line in enumerate(lines) if line.strip() == title)
    return "\n".join(lines[start + 1:])


def _html_bibliography(page: str) -> tuple[str, list[str]]:
    section = re.search(r'<section class="bibliography" id="bibliography".*?</section>', page, re.S).group(0)
    items = [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]
    return section, items


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example (bibliography on) built in English and zh-Hant (empty catalogs: the text falls back to
    English, the citations are formatted for the edition), by Typst, WeasyPrint and as HTML."""
    root = tmp_path_factory.mktemp("bib")
    folder = root / "proj" / "content" / "example"
    shutil.copytree(EXAMPLE, folder)
    r = subprocess.run([sys.executable, "-m", "reportkit", "i18n", "update", str(folder), "--lang", "zh-Hant"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    build(folder, BuildOptions(out=root / "out", langs=LANGS, keep_sources=True))
    build(folder, BuildOptions(out=root / "outw", langs=LANGS, engine="weasyprint", formats=("pdf",)))
    return folder, root / "out" / "example", root / "outw" / "example"


def test_every_output_prints_the_same_entries_in_the_same_order(built):
    folder, out, outw = built
    for lang in LANGS:
        expected = _entries(folder, lang)
        assert len(expected) == 3  # every reference the example cites (and no other)
        section, items = _html_bibliography((out / f"example.{lang}.html").read_text(encoding="utf-8"))
        assert [_norm(i) for i in items] == [_norm(e) for e in expected], lang
        assert section.count('class="url"') == 3  # URLs stay links
        for pdf in (out / f"example.{lang}.pdf", outw / f"example.{lang}.weasyprint.pdf"):
            _in_order(_pdf_bibliography(pdf, TITLES[lang]), expected)
    english = _entries(folder)
    # Chicago bibliography form, sorted by author (word by word), else title
    assert english == [
        "Example, Ada. Publishing Once, Printing Twice: Structured Content for Policy Research. Example University "
        "Press, 2024. https://example.org/books/publishing-once.",
        "Example Institute for Public Policy. “Survey of Report Production, 2025.” June 30, 2025. "
        "https://example.org/survey-2025.",
        "Lin Fanli 林范例. “台湾半导体产业的下一步 [The Next Step for Taiwan’s Semiconductor Industry].” Example Daily, "
        "November 3, 2025. https://example.org/zh/semiconductors."]


def test_zh_hant_prints_a_chinese_source_the_chinese_way_with_its_language(built):
    folder, out, _ = built
    entries = _entries(folder, "zh-Hant")
    # Chinese-language sources first, in the Chinese form; the English ones as published
    assert entries[0] == "林范例，〈台湾半导体产业的下一步〉，《Example Daily》，2025年11月3日，https://example.org/zh/semiconductors。"
    assert entries[1:] == _entries(folder)[:2]
    section, _ = _html_bibliography((out / "example.zh-Hant.html").read_text(encoding="utf-8"))
    assert '<span lang="zh-Hans">台湾半导体产业的下一步</span>' in section  # the title in its own script and tag
    assert '<span lang="en">Example, Ada.' in section  # an English entry in the Chinese edition
    typ = (out / "example.zh-Hant.typ").read_text(encoding="utf-8")
    bib = typ[typ.index("#rk-bibliography-heading("):]
    assert '#rk-span("zh-Hans")[#"台湾半导体产业的下一步"]' in bib
    assert 'text(lang: lang.slice(0, 2), region: region' in typ  # rk-span sets the language (and region) in the PDF


def test_it_is_in_the_contents_and_the_outline(built):
    _, out, outw = built
    for lang in LANGS:
        page = (out / f"example.{lang}.html").read_text(encoding="utf-8")
        assert f'<li><a href="#bibliography">{TITLES[lang]}</a></li>' in page
        assert f'<h2 id="bibliography-h">{TITLES[lang]}</h2>' in page
        for pdf in (out / f"example.{lang}.pdf", outw / f"example.{lang}.weasyprint.pdf"):
            titles = _outline(pdf)
            assert TITLES[lang] in titles, (pdf.name, titles)
            assert titles.index(TITLES[lang]) == titles.index(NOTES[lang]) + 1  # right after the notes
        typ = (out / f"example.{lang}.typ").read_text(encoding="utf-8")
        assert typ.index("#rk-bibliography-heading(") > typ.index("#rk-notes-heading(")
        assert typ.index("#rk-bibliography-heading(") < typ.index("#rk-back-cover(")


def test_off_by_default_and_not_in_the_flagship(example_copy):
    _without_option(example_copy)
    assert _entries(example_copy) is None
    ed = localize(resolve(load(example_copy)))
    brand = load_brand("dset")
    assert "rk-bibliography" not in render_typst(ed, brand, "endnotes").split("#show: rk-document", 1)[1]
    assert 'id="bibliography"' not in render_html(ed, brand, "endnotes")
    assert not bibliography_on(load(FLAGSHIP), brand)


def test_brand_default_and_report_override(example_copy, tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(load_brand("plain").folder, styles / "bib")
    with open(styles / "bib" / "brand.yaml", "a", encoding="utf-8") as f:
        f.write("citations:\n  bibliography: true\n")
    on, plain = load_brand("bib", [styles]), load_brand("plain")
    assert on.bibliography is True and plain.bibliography is None
    f = example_copy / "report.yaml"
    _without_option(example_copy)
    report = load(example_copy)
    assert bibliography_on(report, on) and not bibliography_on(report, plain)  # the brand's default
    ed = localize(resolve(report))
    assert "#rk-bibliography-heading(" in render_typst(ed, on, "endnotes")
    assert 'id="bibliography"' in render_html(ed, on, "endnotes")
    f.write_text(f.read_text(encoding="utf-8").replace("  subsequent: short", "  subsequent: short\n  bibliography: false"),
                 encoding="utf-8")
    report = load(example_copy)
    assert not bibliography_on(report, on)  # the report beats the brand
    ed = localize(resolve(report))
    assert "#rk-bibliography-heading(" not in render_typst(ed, on, "endnotes")


def test_a_bad_bibliography_option_is_located(example_copy):
    f = example_copy / "report.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(OPTION, "  bibliography: sometimes"), encoding="utf-8")
    with pytest.raises(ReportError, match=r'report\.yaml:\d+:\d+: error: "bibliography" must be true or false'):
        load(example_copy)


# ---- glyph coverage of the text references print ----

def test_a_character_from_a_reference_is_reported_at_the_reference(example_copy):
    refs = example_copy / "references.json"
    text = refs.read_text(encoding="utf-8")
    refs.write_text(text.replace('"title": "台湾半导体产业的下一步"', '"title": "台湾半导体产业的下一步\U00013000"'), encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if '"id": "lin-chips"' in l)
    resolved = resolve(load(example_copy))
    editions = [localize(resolved), localize(resolved, "zh-Hant", {})]
    found = glyphs.check_glyphs(resolved, "dset", editions)
    assert [(d.loc.file.endswith("references.json"), d.loc.line) for d in found] == [(True, line)], found
    assert "U+13000" in found[0].message
    # the source report alone holds no such character: only the typeset editions (notes, bibliography) do
    assert glyphs.check_glyphs(resolved, "dset") == []
    r = subprocess.run([sys.executable, "-m", "reportkit", "check", str(example_copy)], capture_output=True, text=True)
    assert r.returncode == 1 and f"references.json:{line}: error: no font of brand" in r.stdout + r.stderr


# ---- a report's own CSL style ----

def _own_style(folder, bibliography=True) -> None:
    """my-style.csl in the report folder: the shipped Chicago style with a mark before notes and entries."""
    from reportkit.citations import STYLE_DIR

    csl = (STYLE_DIR / "chicago-fullnote.csl").read_text(encoding="utf-8")
    csl = csl.replace("<layout>", '<layout prefix="MY: ">').replace('<layout suffix=".">', '<layout prefix="MINE: " suffix=".">')
    if not bibliography:
        csl = re.sub(r"<bibliography.*</bibliography>", "", csl, flags=re.S)
    (folder / "my-style.csl").write_text(csl, encoding="utf-8")
    f = folder / "report.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("style: chicago-fullnote", "style: my-style"), encoding="utf-8")


def test_a_style_in_the_report_folder_is_found_and_used(example_copy):
    _own_style(example_copy)
    resolved = resolve(load(example_copy))
    printed = typeset(localize(resolved), True).report
    assert printed.notes["n-fig"].text.plain().startswith("MY: Ada Example, Publishing Once")
    assert all(e.plain().startswith("MINE: ") for e in printed.bibliography.entries)


def test_a_style_without_a_bibliography_layout_is_a_located_error(example_copy):
    _own_style(example_copy, bibliography=False)
    with pytest.raises(ReportError, match=r"my-style\.csl: error: this citation style has no <bibliography> layout"):
        typeset(localize(resolve(load(example_copy))), True)


def test_a_missing_style_is_one_line_at_report_yaml(example_copy):
    f = example_copy / "report.yaml"
    text = f.read_text(encoding="utf-8").replace("style: chicago-fullnote", "style: my-missing")
    f.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "style: my-missing" in l)
    r = subprocess.run([sys.executable, "-m", "reportkit", "check", str(example_copy)], capture_output=True, text=True)
    errors = [l for l in (r.stdout + r.stderr).splitlines() if ": error: " in l]
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert len(errors) == 1 and f"report.yaml:{line}:" in errors[0] and 'citation style "my-missing" not found' in errors[0]
