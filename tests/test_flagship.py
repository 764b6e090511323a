"""Proof that the flagship report is complete: every body paragraph, note and table cell of the
source text appears in the built English HTML and PDF editions; the zh-Hant edition is complete too."""
import functools
import re
import subprocess

import pypdf
import pytest

from conftest import FLAGSHIP, ROOT, pdf_text

SOURCE = ROOT.parent / "shared" / "source" / "four-ounces.txt"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# Text printed inside chart artwork, not body text (listed in content/four-ounces/README.md).
ARTWORK = ("Our dataset covers an estimated",)
pytestmark = pytest.mark.skipif(not SOURCE.is_file(), reason="shared/source/four-ounces.txt not present")


def norm(text: str, markers: str = "drop") -> str:
    """Compare texts ignoring layout: whitespace, quote styles, markdown artefacts, hyphenation, and note
    markers (dropped, or as plain digits: the PDF text shows a superscript 12 as "12")."""
    if markers == "digits":
        text = re.sub(r"\^\{([\d,]+)\}", lambda m: m.group(1).replace(",", ""), text)
        text = text.translate(str.maketrans(SUPERSCRIPTS, "0123456789"))
    text = re.sub(r"\^\{[\d,]+\}", "", text)
    text = re.sub(f"[{SUPERSCRIPTS}]+", "", text)
    text = re.sub(r"\\([^\w\s])", r"\1", text)  # the extraction's markdown escapes (\$, \")
    text = text.replace("**", "").replace("*", "")
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("–", "-"), ("—", "-"), ("\u00ad", ""), ("\u200b", ""), ("\u2060", "")):
        text = text.replace(a, b)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"(?<=\d),(?=\d)", "", text)  # consecutive note markers print "3,4" (the transcript has "³⁴")
    return re.sub(r"[\s\-\u2009]+", "", text).lower()


def source_parts():
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "Executive Summary" and i > 100)
    refs = next(i for i, l in enumerate(lines) if l.strip() == "References" and i > 500)
    body = lines[start:refs]
    notes = {}
    for l in lines[refs:]:
        m = re.match(r"^(\d{1,3})\. (.+)$", l.strip())
        if m and 1 <= int(m.group(1)) <= 182 and int(m.group(1)) not in notes:
            notes[int(m.group(1))] = m.group(2)
    return body, notes


def corrections() -> dict:
    """note id -> [(printed, now)] from every content/four-ounces/corrections*.yaml: where a converted note
    now prints differently from the transcript (a merged source's resolved spelling, the style's form)."""
    import yaml

    out: dict = {}
    for path in sorted(FLAGSHIP.glob("corrections*.yaml")):
        for nid, entries in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            out.setdefault(nid, []).extend((e["printed"], e["now"]) for e in entries)
    return out


def corrected_notes(note_number) -> tuple[dict, dict]:
    """The transcript's notes (number -> text) with the corrections applied, and number -> [now, …] to
    look for in the printed note. Fails if a correction's `printed` text is not in its transcript note."""
    printed_notes = source_parts()[1]
    notes = dict(printed_notes)
    expected: dict = {}
    for nid, entries in corrections().items():
        number = note_number(nid)
        for printed, now in entries:
            assert printed in printed_notes[number] and printed in notes[number], \
                f"correction of {nid}: {printed!r} is not in transcript note {number}"
            notes[number] = notes[number].replace(printed, now, 1)
            expected.setdefault(number, []).append(now)
    return notes, expected


def body_paragraphs():
    """Long prose lines of the source body (paragraphs; page breaks split some into two pieces)."""
    body, _ = source_parts()
    out = []
    for l in body:
        s = l.strip()
        if len(s) >= 120 and "\t" not in s and not s.startswith(ARTWORK):
            out.append(s)
    return out


def table_cells():
    body, _ = source_parts()
    cells = []
    for l in body:
        if "\t" in l:
            # the extraction keeps multi-paragraph cells as <p>...</p>: each paragraph is checked
            for c in l.split("\t"):
                cells.extend(p.strip() for p in re.split(r"</?p>", c) if len(p.strip()) > 2)
    return cells


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    from reportkit.build import BuildOptions, build

    out = tmp_path_factory.mktemp("flagship")
    build(FLAGSHIP, BuildOptions(out=out))
    folder = out / "four-ounces"
    return {
        "html": (folder / "four-ounces.en.html").read_text(),
        "pdf": pdf_body_text(folder / "four-ounces.en.pdf"),
        "zh_pdf_path": folder / "four-ounces.zh-Hant.pdf",
        "zh_html": (folder / "four-ounces.zh-Hant.html").read_text(),
    }


@functools.lru_cache(maxsize=None)
def running_heads() -> frozenset:
    """What a running head may print: the report title (left-hand pages) or a chapter title (right-hand)."""
    from reportkit.load import load

    r = load(FLAGSHIP)
    notes = r.meta.notes_title.plain() if r.meta.notes_title else "Notes"
    return frozenset([r.meta.title.plain(), notes] + [" ".join(ch.title.plain().split()) for ch in r.chapters])


def pdf_body_text(path) -> str:
    """The PDF's text without page furniture (running header, page number), so that a paragraph
    continuing on the next page reads as one."""
    pages = []
    for page in pypdf.PdfReader(str(path)).pages:
        lines = (page.extract_text() or "").splitlines()
        if lines and (lines[0].endswith("DSET") or " ".join(lines[0].split()) in running_heads()):
            lines = lines[1:]
        if lines and re.fullmatch(r"\s*[0-9ivxlc]+\s*", lines[-1]):
            lines = lines[:-1]
        pages.append("\n".join(lines))
    return "\n".join(pages)


def html_text(html: str) -> str:
    import html as h
    return h.unescape(re.sub(r"<sup>\d+</sup>|<sup class=\"notesep\">,</sup>|<[^>]+>", "", html))


def missing(pieces, haystack, markers="drop"):
    hay = norm(haystack)
    return [p for p in pieces if norm(p, markers) not in hay]


def test_source_parsing_finds_the_report():
    paras, notes = body_paragraphs(), source_parts()[1]
    assert len(paras) > 120 and len(notes) == 182


def test_every_body_paragraph_in_html_and_pdf(editions):
    paras = body_paragraphs()
    assert missing(paras, html_text(editions["html"])) == []
    assert missing(paras, editions["pdf"], "digits") == []


def test_notes_in_order_with_full_text(editions):
    from reportkit.load import load
    from reportkit.resolve import resolve

    notes, _ = corrected_notes(resolve(load(FLAGSHIP)).note_number)  # the transcript, corrected
    hay = norm(html_text(editions["html"]))
    pos = -1
    for n in range(1, 183):
        text = norm(notes[n])
        at = hay.find(text, pos + 1)
        assert at > pos, f"note {n} missing or out of order"
        pos = at
    assert missing(list(notes.values()), editions["pdf"]) == []


def test_every_table_cell(editions):
    cells = table_cells()
    assert len(cells) > 60
    assert missing(cells, html_text(editions["html"])) == []
    assert missing(cells, editions["pdf"], "digits") == []


def test_the_check_fails_when_a_paragraph_is_dropped(editions):
    paras = body_paragraphs()
    html = html_text(editions["html"])
    victim = paras[40]
    cut = norm(victim)
    dropped = norm(html).replace(cut, "")
    assert norm(victim) not in dropped  # the same comparison the test above makes now fails
    note5 = norm(source_parts()[1][5])
    assert note5 not in norm(html).replace(note5, "")


# ---- zh-Hant ----

def test_zh_pdf_embeds_tc_fonts_all_embedded(editions):
    out = subprocess.run(["pdffonts", str(editions["zh_pdf_path"])], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and any("CJKtc" in r for r in rows)
    assert not any("CJKjp" in r or "CJKsc" in r for r in rows)
    assert all(r.split()[-5] == "yes" for r in rows), out  # emb column


def test_zh_text_is_cjk_with_all_notes_and_captions(editions):
    text = pdf_text(editions["zh_pdf_path"])
    assert "\ufffd" not in text
    # the endnotes (citations stay as published) start on the page that opens with their heading (later
    # pages of the notes carry it as their running head)
    pages = [p.extract_text() or "" for p in pypdf.PdfReader(str(editions["zh_pdf_path"])).pages]
    first = next(i for i, p in enumerate(pages) if p.lstrip().startswith("參考文獻"))
    body = "\n".join(pages[:first])
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in body)
    latin_words = len(re.findall(r"[A-Za-z]+", body))
    assert cjk / (cjk + latin_words) > 0.85, (cjk, latin_words)
    html = editions["zh_html"]
    assert '<html lang="zh-Hant">' in html and 'hreflang="en"' in html
    for n in range(1, 183):
        assert f'id="note-{n}"' in html
    for label in ["表 1\u3000", "表 2\u3000", "表 3\u3000", "表 4\u3000", "圖 1\u3000", "圖 2\u3000", "圖 3\u3000", "圖 4\u3000", "圖 5\u3000"]:
        assert label in html_text(html), label
    assert "2026年4月" in html


def test_zh_status_is_complete():
    r = subprocess.run(["python3", "-m", "reportkit", "i18n", "status", "content/four-ounces", "--lang", "zh-Hant",
                        "--min-coverage", "100"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "100.0% translated" in r.stdout, r.stdout + r.stderr


def test_zh_catalogs_pass_msgfmt_and_check():
    for po in sorted((ROOT / "locales" / "zh-Hant" / "four-ounces").glob("*.po")):
        r = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    r = subprocess.run(["python3", "-m", "reportkit", "i18n", "check", "content/four-ounces", "--lang", "zh-Hant"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
