"""Brands drive every output; the WeasyPrint engine prints the same complete text as Typst."""
import re
import shutil
from collections import Counter

import pikepdf
import pypdf
import pytest

from conftest import EXAMPLE, FLAGSHIP
from pdftext import between, body_pages, svg_lines, words
from reportkit.brand import builtin_styles, load_brand
from reportkit.build import BuildOptions, build
from reportkit.engine import weasyprint_pdf
from reportkit.errors import ReportError
from reportkit.i18n.units import units
from reportkit.load import load
from reportkit.localize import localize
from reportkit.model import NoteRef, Text, XRef
from reportkit.render_html import render_html
from reportkit.resolve import resolve


@pytest.fixture(scope="module")
def example_builds(tmp_path_factory):
    out = {}
    for brand in ("dset", "plain"):
        d = tmp_path_factory.mktemp(brand)
        build(EXAMPLE, BuildOptions(out=d, brand=brand))
        build(EXAMPLE, BuildOptions(out=d, brand=brand, engine="weasyprint", formats=("pdf",)))
        out[brand] = d / "example"
    return out


def fonts(path):
    names = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for f in (page.Resources.get("/Font") or {}).values():
                names.add(str(f.get("/BaseFont")).split("+")[-1])
    return names


def fill_colors(path):
    """Every RGB fill color set in the page content streams, as #RRGGBB."""
    out = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for operands, op in pikepdf.parse_content_stream(page):
                # Typst sets colors in an ICC sRGB space (sc/scn), WeasyPrint with rg
                if str(op) in ("rg", "RG", "sc", "scn", "SC", "SCN") and len(operands) == 3:
                    try:
                        out.add("#" + "".join(f"{round(float(x) * 255):02X}" for x in operands))
                    except (TypeError, ValueError):
                        pass
    return out


@pytest.mark.parametrize("engine_file", ["example.en.pdf", "example.en.weasyprint.pdf"])
def test_brand_changes_fonts_and_colors(example_builds, engine_file):
    dset, plain = example_builds["dset"] / engine_file, example_builds["plain"] / engine_file
    assert any("Serif" in f for f in fonts(dset)) and not any("Serif" in f for f in fonts(plain))
    # text and muted colors (the example's own figure uses the DSET navy, so that one proves nothing)
    assert {"#1F2328", "#5B6470"} <= fill_colors(dset) and not {"#1F2328", "#5B6470"} & fill_colors(plain)
    assert {"#111111", "#555555"} <= fill_colors(plain)


def test_brand_page_size_and_notes_style(example_builds):
    a4 = pypdf.PdfReader(str(example_builds["dset"] / "example.en.pdf")).pages[0].mediabox
    letter = pypdf.PdfReader(str(example_builds["plain"] / "example.en.pdf")).pages[0].mediabox
    assert round(float(a4.width)) == 595 and round(float(letter.width)) == 612
    wp = pypdf.PdfReader(str(example_builds["plain"] / "example.en.weasyprint.pdf")).pages[0].mediabox
    assert round(float(wp.width)) == 612


def test_brand_reaches_html(example_builds):
    dset = (example_builds["dset"] / "example.en.html").read_text()
    plain = (example_builds["plain"] / "example.en.html").read_text()
    assert "--primary: #0E3A5B;" in dset and "--primary: #222222;" in plain
    assert '"Noto Serif"' in dset and '"Noto Serif"' not in plain


def test_engines_print_the_same_words(example_builds):
    d = example_builds["dset"]
    header = "Reading the Example Report EIPP"
    start, end = "This summary previews", "s biography."  # the apostrophe is printed typographic
    art = svg_lines(EXAMPLE / "figures")
    typ = words(between("\n".join(body_pages(d / "example.en.pdf", header, art)), start, end))
    wea = words(between("\n".join(body_pages(d / "example.en.weasyprint.pdf", header, art)), start, end))
    drawn = set(words("\n".join(art)))  # words of the SVG artwork: extractors place them unpredictably
    assert Counter(w for w in typ if w not in drawn) == Counter(w for w in wea if w not in drawn)
    assert len(typ) > 200


def _printed(rich, edition) -> str:
    """A unit's text as a PDF prints it: note numbers (consecutive ones separated as the renderers do)
    and reference labels inline."""
    from reportkit.presentation import inline_runs

    out = []

    def emit(nodes):
        for before, node in inline_runs(nodes):
            out.append(before)
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, NoteRef):
                out.append(str(edition.note_number(node.id)))
            elif isinstance(node, XRef):
                from reportkit.presentation import label

                out.append(label(edition, node.id))
            if getattr(node, "children", None):
                emit(node.children)

    emit(rich.nodes)
    return "".join(out)


def dense(text: str) -> str:
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))  # typographic quotes as typed
    text = re.sub(r"[-\u2010\u00ad\u200b\u2060]", "", text)
    return re.sub(r"\s+", "", text).casefold()


def test_flagship_weasyprint_has_every_text_of_the_typst_edition(tmp_path):
    out = tmp_path / "b"
    build(FLAGSHIP, BuildOptions(out=out, langs=["en"], formats=("pdf",)))
    build(FLAGSHIP, BuildOptions(out=out, langs=["en"], formats=("pdf",), engine="weasyprint"))
    # running heads: the report title on left-hand pages, the chapter (or the notes heading) on right-hand ones
    report = load(FLAGSHIP)
    header = {"Four Ounces Deflecting A Thousand Pounds DSET", report.meta.title.plain(), report.meta.notes_title.plain()}
    header |= {" ".join(ch.title.plain().split()) for ch in report.chapters}
    art = svg_lines(FLAGSHIP / "figures")
    # each text is looked for in the pages without the lines drawn inside artwork and, since a line of
    # body text can read the same as an artwork label (a caption wrapping before "Models"), also with them
    def pages(name, artwork):
        return dense("\n".join(body_pages(out / "four-ounces" / name, header, artwork)))

    typ = pages("four-ounces.en.pdf", art) + "|" + pages("four-ounces.en.pdf", set())
    wea = pages("four-ounces.en.weasyprint.pdf", art) + "|" + pages("four-ounces.en.weasyprint.pdf", set())
    # pdftotext reads the column of endnote numbers beside a note that breaks across a page as a run
    # ("148.149.150.") inside the note's text: such runs are list markers, not the note
    markers = re.compile(r"(?<!\d)(?:\d{2,3}\.){3,}")
    wea = markers.sub("", wea)
    edition = localize(resolve(load(FLAGSHIP)))
    from reportkit.presentation import typeset

    # a note's citations ([cite: …]) print as the reference they name: compare what the writers print
    printed = typeset(edition)
    expanded = {id(n.text): printed.report.notes[k].text for k, n in edition.report.notes.items()}
    checked = 0
    for unit in units(edition.resolved, include_notes=True):
        unit = type(unit)(expanded.get(id(unit.rich), unit.rich), unit.context, unit.file)
        if "alt text" in unit.context or unit.rich is edition.report.meta.organization:
            continue  # alt text is not printed
        text = markers.sub("", dense(_printed(unit.rich, edition)))
        if len(text) < 3:
            continue
        assert text in typ, unit.context
        assert text in wea, unit.context
        checked += 1
    assert checked > 400


def test_weasyprint_error_log_fails_the_build():
    with pytest.raises(ReportError) as e:
        weasyprint_pdf('<html lang="en"><body><a href="#nowhere">x</a></body></html>', EXAMPLE, 0)
    assert "No anchor #nowhere" in str(e.value)


def test_weasyprint_toc_page_numbers_match_heading_pages(example_builds):
    reader = pypdf.PdfReader(str(example_builds["dset"] / "example.en.weasyprint.pdf"))
    pages = [p.extract_text() or "" for p in reader.pages]
    toc = next(p for p in pages if "Contents" in p)
    for title in ("Method", "Findings"):
        printed = int(re.search(rf"\d\s+{title}\W*?(\d+)\s*$", toc, re.M).group(1))
        lands = next(i for i, p in enumerate(pages) if p is not toc and re.search(rf"Chapter \d\s*\n?\s*{title}", p, re.I))
        assert str(printed) == reader.page_labels[lands], title  # the number printed there (arabic from the first chapter)


def test_brand_may_override_a_template(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(builtin_styles() / "plain", styles / "custom")
    (styles / "custom" / "html").mkdir()
    (styles / "custom" / "html" / "report.css").write_text("body { letter-spacing: 0.01em; } /* custom-brand-css */")
    brand = load_brand("custom", [styles, builtin_styles()])
    ed = localize(resolve(load(EXAMPLE)))
    html = render_html(ed, brand, "endnotes")
    assert "custom-brand-css" in html and "--primary: #222222;" in html
