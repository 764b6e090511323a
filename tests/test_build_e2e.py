"""Build the example report and inspect the real PDF and HTML."""
import json
import re
from html.parser import HTMLParser

import pypdf
import pytest

from conftest import EXAMPLE, pdf_text, squash
from reportkit.build import BuildOptions, build
from reportkit.errors import ReportError

# the example keeps typographic quotes on, so the one straight pair prints curly (still text, never code;
# test_render shows the byte-exact form with smart_quotes: false)
INJECTIONS = ['#read(\u201c/etc/passwd\u201d)', "<script>alert(1)</script>", "$x$", "@ref", "*", "_under_"]


def test_manifest_lists_every_artifact(built_example):
    out, result = built_example
    manifest = json.loads((out / "manifest.json").read_text())
    entries = {a["path"]: a for a in manifest["artifacts"]}
    pdf, html = entries["example/example.en.pdf"], entries["example/example.en.html"]
    for e in (pdf, html):
        assert e["report"] == "example" and e["language"] == "en"
        data = (out / e["path"]).read_bytes()
        assert e["bytes"] == len(data)
        import hashlib
        assert e["sha256"] == hashlib.sha256(data).hexdigest()
    assert pdf["engine"] == "typst" and pdf["pages"] == len(pypdf.PdfReader(str(out / pdf["path"])).pages)
    assert html["format"] == "html" and html["pages"] is None


def test_pdf_text_metadata_and_outline(built_example):
    out, _ = built_example
    path = out / "example" / "example.en.pdf"
    text = squash(pdf_text(path))
    for needle in ["Reading the Example Report", "Contents", "CHAPTER 1", "1.1 Data", "Table 1.", "Results by group",
                   "Figure 1.", "BOX 1", "STRONG", "Spans two columns", "四兩撥千斤", "A note referenced from a table cell."]:
        assert needle in text, needle
    reader = pypdf.PdfReader(str(path))
    assert reader.metadata.title == "Reading the Example Report"
    assert "Ada Example" in reader.metadata.author
    assert reader.trailer["/Root"]["/Lang"] == "en"
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)
    walk(reader.outline)
    assert any("Method" in t for t in titles) and any("Data" in t for t in titles)


def test_contents_page_numbers_are_real(built_example):
    out, _ = built_example
    reader = pypdf.PdfReader(str(out / "example" / "example.en.pdf"))
    pages = [squash(p.extract_text()) for p in reader.pages]
    toc = next(p for p in pages if p.startswith("Contents") or " Contents " in p[:40])
    m = re.search(r"Findings\W*(\d+)", toc)
    assert m, toc
    printed = int(m.group(1))
    # the printed number is the page label; main matter restarts at 1, so find the page showing the opener
    opener = next(i for i, p in enumerate(pages) if "chapter 2" in p.lower() and "Findings" in p and "Contents" not in p)
    first_main = next(i for i, p in enumerate(pages) if "Summary" in p and "Contents" not in p and i > 0 and "This summary" in p)
    assert opener - first_main + 1 == printed


def _links(reader):
    out = []
    for i, page in enumerate(reader.pages):
        for a in page.get("/Annots") or []:
            a = a.get_object()
            if a.get("/Subtype") == "/Link":
                out.append((i, a))
    return out


def test_internal_links_land_on_the_right_pages(built_example):
    out, _ = built_example
    reader = pypdf.PdfReader(str(out / "example" / "example.en.pdf"))
    named = reader.named_destinations
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    resolved = 0
    for i, a in _links(reader):
        dest = a.get("/Dest")
        if dest is None:
            continue
        if hasattr(dest, "get_object"):
            dest = dest.get_object()
        if isinstance(dest, str) or not isinstance(dest, list):
            assert str(dest) in named, dest
            target = page_of[named[str(dest)].page.idnum]
        else:
            target = page_of[dest[0].idnum]
        text = squash(reader.pages[target].extract_text())
        assert text, (i, dest)
        resolved += 1
    assert resolved >= 10
    # the cross-reference "Table 1" in chapter 2 lands on the page holding the table's caption
    pages = [squash(p.extract_text()) for p in reader.pages]
    table_page = next(i for i, p in enumerate(pages) if "Table 1. Results by group" in p)
    def target_page(a):
        d = a.get("/Dest")
        d = d.get_object() if hasattr(d, "get_object") else d
        if isinstance(d, str):
            return page_of[named[d].page.idnum]
        return page_of[d[0].idnum] if isinstance(d, list) else None
    assert table_page in {target_page(a) for _, a in _links(reader)}


def test_injection_strings_are_literal_text_in_pdf_and_html(built_example):
    out, _ = built_example
    text = squash(pdf_text(out / "example" / "example.en.pdf"))
    html = (out / "example" / "example.en.html").read_text()
    assert "root:x:0" not in text and "root:x:0" not in html
    dense = re.sub(r"\s", "", text)  # a line may break inside the path
    for s in INJECTIONS:
        assert s.replace(" ", "") in dense, s
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert '#read(\u201c/etc/passwd\u201d)' in html


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.tags, self.attrs = [], [], [], []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        self.tags.append(tag)
        self.attrs.append((tag, d))
        if "id" in d:
            self.ids.append(d["id"])
        if tag == "a" and "href" in d:
            self.hrefs.append(d["href"])


def test_html_structure_and_links(built_example):
    out, _ = built_example
    html = (out / "example" / "example.en.html").read_text()
    p = Collect()
    p.feed(html)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert len(p.ids) == len(set(p.ids)), "duplicate ids"
    for href in p.hrefs:
        if href.startswith("#"):
            assert href[1:] in p.ids, href
    for tag in ("figure", "figcaption", "caption", "blockquote", "cite", "aside", "nav", "main"):
        assert tag in p.tags, tag
    assert any(t == "th" and a.get("scope") == "col" for t, a in p.attrs)
    assert any(t == "th" and a.get("scope") == "row" for t, a in p.attrs)
    assert any(t == "img" and a.get("alt") for t, a in p.attrs)
    assert "<script" not in html and "@media print" in html
    assert 'href="#noteref-1"' in html and 'id="note-1"' in html
    assert '<a class="xref" href="#note-4">Note 4</a>' in html  # a cross-reference to a note


def test_rebuild_is_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-a"))  # compile for real both times
    a = build(EXAMPLE, BuildOptions(out=tmp_path / "a", formats=("pdf",)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-b"))
    b = build(EXAMPLE, BuildOptions(out=tmp_path / "b", formats=("pdf",)))
    assert a.artifacts[0].sha256 == b.artifacts[0].sha256


def test_failed_build_leaves_previous_artifacts(tmp_path, example_copy):
    out = tmp_path / "out"
    build(example_copy, BuildOptions(out=out))
    pdf = out / "example" / "example.en.pdf"
    before = pdf.read_bytes()
    manifest = (out / "manifest.json").read_text()
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("[@tab-results] and", "[@nope] and"))
    with pytest.raises(ReportError):
        build(example_copy, BuildOptions(out=out))
    assert pdf.read_bytes() == before and (out / "manifest.json").read_text() == manifest
    assert not list(out.rglob("*.tmp"))


def test_footnotes_edition(tmp_path):
    r = build(EXAMPLE, BuildOptions(out=tmp_path, formats=("pdf",), notes="footnotes"))
    text = squash(pdf_text(tmp_path / r.artifacts[0].path))
    assert "A note referenced from a table cell." in text
    assert r.artifacts[0].notes == "footnotes"
