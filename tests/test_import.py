"""`reportkit import`: Word documents into report folders, through pandoc's docx reader.

1. a .docx made by LibreOffice (tests/fixtures/import-sample.docx, made by make_import_docx.py);
2. the flagship, exported to .docx with pandoc's writer from reportkit's HTML edition and imported back.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from reportkit import inline
from reportkit.cli import main
from reportkit.importer import escape, import_docx, markup
from reportkit.load import load
from reportkit.model import Table, plain_text
from reportkit.resolve import resolve
from reportkit.walk import blocks as all_blocks

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "import-sample.docx"
needs_pandoc = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (apt-get install -y pandoc)")


def _norm(text: str) -> str:
    text = text.replace("\u2060", "").replace("\u00a0", " ")
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return " ".join(text.split())


def test_escape_round_trips_every_markup_character():
    for text in ["a *star*", "[x](https://e.org)", "<https://e.org>", "C:\\Users\\x", "\\*", "[^n1] [@x]", "]{lang=zh}"]:
        assert plain_text(inline.parse(escape(text))) == text


def test_fixture_is_small_and_made_by_libreoffice():
    import zipfile

    assert FIXTURE.stat().st_size < 200_000
    with zipfile.ZipFile(FIXTURE) as z:
        app = z.read("docProps/app.xml").decode()
    assert "LibreOffice" in app


@needs_pandoc
def test_import_libreoffice_docx(tmp_path, capsys):
    project = tmp_path / "proj"
    (project / "content").mkdir(parents=True)
    dest = project / "content" / "sample"
    assert main(["--project", str(project), "import", str(FIXTURE), "--to", str(dest)]) == 0
    out = capsys.readouterr()
    assert "imported" in out.out
    assert "level-4 heading" in out.err  # printed with its place
    notes_md = (dest / "IMPORT-NOTES.md").read_text()
    assert "\u201cIntroduction\u201d > \u201cScope of the review\u201d > \u201cMethod in brief\u201d" in notes_md

    report = yaml.safe_load((dest / "report.yaml").read_text())
    assert report["title"] == "Harbour Resilience Review"
    ch1 = yaml.safe_load((dest / report["chapters"][0]).read_text())
    ch2 = yaml.safe_load((dest / report["chapters"][1]).read_text())
    assert ch1["title"] == "Introduction" and ch2["title"] == "Findings"
    text1 = (dest / report["chapters"][0]).read_text()
    assert "Ports are *critical* infrastructure, and **resilience** matters.[^n1]" in text1
    assert "[port statistics](https://example.org/ports)" in text1
    assert "[韌性港口]{lang=zh-Hant}" in text1 and "[港口韧性建设]{lang=zh-Hans}" in text1
    assert r"a \*star\*, \[brackets\], a \<tag> and a back\\slash." in text1
    # footnotes and the endnote are notes, with their texts under notes:
    assert set(ch1["notes"]) == {"n1", "n2", "n3"} and set(ch2["notes"]) == {"n4"}
    assert ch1["notes"]["n1"] == "Harbour Authority, *Annual Report*, 2025, <https://example.org/report>."
    assert ch1["notes"]["n3"].startswith("An endnote")
    sections = [b["section"] for b in ch1["blocks"] if "section" in b]
    assert sections[0]["title"] == "Scope of the review"
    assert any("section" in b and b["section"]["title"] == "Method in brief" for b in sections[0]["blocks"])
    kinds = [next(iter(b)) for b in ch2["blocks"]]
    assert kinds[:3] == ["table", "quote", "figure"]
    table = ch2["blocks"][0]["table"]
    assert table["caption"] == "Scores by harbour"
    assert [c["title"] for c in table["columns"]] == ["Harbour", "Capacity", "Recovery"]
    assert table["rows"][1] == ["Taichung", {"text": "Not assessed[^n4]", "colspan": 2}]
    quote = ch2["blocks"][1]["quote"]
    assert quote == {"text": "A harbour is only as strong as its weakest crane.", "attribution": "Port engineer, Kaohsiung"}
    fig = ch2["blocks"][2]["figure"]
    assert fig["caption"] == "Harbour scores at a glance"
    assert fig["alt"] == "A chequered chart standing in for harbour scores."
    assert (dest / fig["image"]).read_bytes().startswith(b"\x89PNG")

    # it loads, checks and builds
    resolved = resolve(load(dest))
    assert len(resolved.notes_order) == 4
    assert main(["--project", str(project), "check", str(dest), "--no-glyphs"]) == 0
    assert main(["--project", str(project), "build", str(dest), "--out", str(tmp_path / "build")]) == 0
    assert (tmp_path / "build" / "sample" / "sample.en.pdf").is_file()

    # a second import into the same folder needs --force
    assert main(["--project", str(project), "import", str(FIXTURE), "--to", str(dest)]) == 1
    assert main(["--project", str(project), "import", str(FIXTURE), "--to", str(dest), "--force"]) == 0


def _html_to_docx(html: Path, docx: Path) -> None:
    """reportkit's HTML edition -> .docx with pandoc's writer. The edition's endnote links become real
    notes (what a Word author would have), the contents list and skip link go; a figure's <figure> is
    read as a plain <div> (pandoc's HTML reader drops everything but the image and caption of a figure)."""
    source = re.sub(r'<figure class="figure"(.*?)</figure>', r'<div class="figure"\1</div>', html.read_text(encoding="utf-8"),
                    flags=re.S)
    doc = json.loads(subprocess.run(["pandoc", "-f", "html", "-t", "json"], input=source.encode(), capture_output=True,
                                    check=True).stdout)
    notes: dict = {}

    def ident(b):
        return b["c"][0][0] if b["t"] == "Div" else b["c"][1][0] if b["t"] == "Header" else ""

    def strip(blocks):
        out, skip = [], False
        for b in blocks:
            if skip:
                skip = False
                if b["t"] == "OrderedList":
                    continue
            if b["t"] == "Div" and ident(b) == "notes":
                for item in next(x for x in b["c"][1] if x["t"] == "OrderedList")["c"][1]:
                    for span in (x for p in item for x in p["c"] if x["t"] == "Span"):
                        notes["#" + span["c"][0][0]] = [y for y in span["c"][1] if not (y["t"] == "Link" and "backref" in y["c"][0][1])]
                continue
            if b["t"] == "Div" and ident(b) == "top" or b["t"] == "Header" and ident(b) == "toc-title":
                skip = b["t"] == "Header"
                continue
            if b["t"] == "Para" and b["c"] and b["c"][0]["t"] == "Link" and "skip" in b["c"][0]["c"][0][1]:
                continue
            if b["t"] == "Div":
                b = {"t": "Div", "c": [b["c"][0], strip(b["c"][1])]}
            out.append(b)
        return out

    def notes_in(x):
        if isinstance(x, list):
            out = []
            for y in x:
                if isinstance(y, dict) and y.get("t") == "Link" and "noteref" in y["c"][0][1]:
                    out.append({"t": "Note", "c": [{"t": "Para", "c": notes_in(notes[y["c"][2][0]])}]})
                else:
                    out.append(notes_in(y))
            return out
        if isinstance(x, dict):
            return {k: notes_in(v) for k, v in x.items()}
        return x

    doc["blocks"] = notes_in(strip(doc["blocks"]))
    subprocess.run(["pandoc", "-f", "json", "-t", "docx", "-o", str(docx)], input=json.dumps(doc).encode(),
                   check=True, capture_output=True)


@needs_pandoc
def test_flagship_round_trip(tmp_path):
    t0 = time.perf_counter()
    original = resolve(load(ROOT / "content" / "four-ounces"))
    assert main(["--project", str(ROOT), "build", str(ROOT / "content" / "four-ounces"), "--lang", "en",
                 "--format", "html", "--out", str(tmp_path / "out")]) == 0
    docx = tmp_path / "four-ounces.docx"
    _html_to_docx(tmp_path / "out" / "four-ounces" / "four-ounces.en.html", docx)
    project = tmp_path / "proj"
    (project / "content").mkdir(parents=True)
    dest = project / "content" / "fo"
    t1 = time.perf_counter()
    result = import_docx(docx, dest)
    import_seconds = time.perf_counter() - t1
    imported = resolve(load(dest))

    def paragraphs(report, chapters_only=True):
        from reportkit.model import Para

        return [_norm(b.text.plain()) for ch in report.chapters for b in all_blocks(ch) if isinstance(b, Para)]

    # the typographic quotes and note markers the edition printed are normalized on both sides
    body = [p for p in paragraphs(original.report) if p]
    got = set(paragraphs(imported.report))
    found = [p for p in body if p in got]
    assert len(found) >= 0.95 * len(body), [p for p in body if p not in got][:5]

    # the same notes, with the same texts
    assert len(imported.notes_order) == len(original.notes_order) == 182
    from reportkit.localize import localize
    from reportkit.presentation import typeset

    printed = typeset(localize(original)).report  # citations ([cite: …]) expanded, as the edition printed them
    want_notes = sorted(_norm(printed.notes[n].text.plain()) for n in original.notes_order)
    got_notes = sorted(_norm(imported.report.notes[n].text.plain()) for n in imported.notes_order)
    assert sum(a == b for a, b in zip(want_notes, got_notes)) >= 0.95 * len(want_notes)

    # the same tables, cell by cell
    def tables(report):
        out = []
        for t in (b for b in all_blocks(report) if isinstance(b, Table)):
            cells = [_norm(c.title.plain()) for c in t.columns]
            for row in t.rows:
                parts = [row.text.plain()] if hasattr(row, "text") else [
                    " ".join(((cell.tag.plain() + " ") if cell.tag else "") + " ".join(_cell_text(b) for b in cell.blocks)
                             for cell in [cell]) for cell in row.cells]
                cells += [_norm(p) for p in parts if _norm(p)]  # pandoc's writer may drop a span: compare texts
            out.append((_norm(t.caption.plain()), cells))
        return out

    want, have = tables(original.report), tables(imported.report)
    assert len(have) == len(want) == 4
    for (wc, wcells), (hc, hcells) in zip(want, have):
        assert hc == wc
        assert len(hcells) == len(wcells)
        same = sum(a == b for a, b in zip(wcells, hcells))
        assert same >= 0.9 * len(wcells), [(a, b) for a, b in zip(wcells, hcells) if a != b][:3]

    # it checks and builds
    assert main(["--project", str(project), "build", str(dest), "--format", "html", "--out", str(tmp_path / "b2")]) == 0
    assert result.counts["notes"] == 182
    assert import_seconds < 10
    assert time.perf_counter() - t0 < 60


def _cell_text(block) -> str:
    from reportkit.model import Para, Terms, ListBlock

    if isinstance(block, Para):
        return block.text.plain()
    if isinstance(block, Terms):
        return " ".join(f"{t.term.plain()}: {t.text.plain()}" for t in block.items)
    if isinstance(block, ListBlock):
        return " ".join(i.text.plain() for i in block.items)
    return ""


def test_markup_of_nodes_parses_back():
    from reportkit.model import Emph, Link, NoteRef, Span, Strong, Text

    nodes = [Text("a "), Emph([Text("b*")]), Text(" "), Strong([Text("c")]), NoteRef("n1"), Text(" "),
             Link("https://e.org/x", [Text("[d]")]), Text(" "), Span("zh-Hant", [Text("四兩")])]
    assert inline.parse(markup(nodes)) == nodes
