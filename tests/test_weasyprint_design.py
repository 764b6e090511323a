"""The WeasyPrint edition has the Typst edition's design: the same page count within two pages, an
even page count (the back cover on a left-hand page), roman then arabic page numbers with matching
PDF page labels, upright Chinese (no italic font, real or synthesized), no hyphenated proper names,
PDF/UA metadata kept through the page-label pass."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from reportkit.build import BuildOptions, build

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "content" / "four-ounces"
LANGS = ("en", "zh-Hant")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdfs")
    build(FLAGSHIP, BuildOptions(out=out, formats=("pdf",)))
    build(FLAGSHIP, BuildOptions(out=out, formats=("pdf",), engine="weasyprint"))
    folder = out / "four-ounces"
    return {lang: {"typst": folder / f"four-ounces.{lang}.pdf", "weasyprint": folder / f"four-ounces.{lang}.weasyprint.pdf"}
            for lang in LANGS}


def _labels(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    nums = pdf.Root.PageLabels.Nums
    return [(int(nums[i]), str(nums[i + 1].get("/S", "")), int(nums[i + 1].get("/St", 1))) for i in range(0, len(nums), 2)]


def _label_of(labels, index: int) -> str:
    start, style, first = max((x for x in labels if x[0] <= index), key=lambda x: x[0])
    n = first + index - start
    if style == "/D":
        return str(n)
    if style == "/r":
        out = ""
        for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            while n >= value:
                out, n = out + letters, n - value
        return out
    return ""


@pytest.mark.parametrize("lang", LANGS)
def test_page_count_matches_the_typst_edition_and_is_even(pdfs, lang):
    with pikepdf.open(pdfs[lang]["typst"]) as t, pikepdf.open(pdfs[lang]["weasyprint"]) as w:
        assert abs(len(w.pages) - len(t.pages)) <= 2, (len(t.pages), len(w.pages))
        assert len(w.pages) % 2 == 0


@pytest.mark.parametrize("lang", LANGS)
def test_page_labels_roman_then_arabic(pdfs, lang):
    with pikepdf.open(pdfs[lang]["weasyprint"]) as w:
        labels = _labels(w)
        styles = [s for _, s, _ in labels]
        assert styles[:3] == ["", "/r", "/D"]  # the cover, the front matter, the main matter
        assert labels[1][:1] == (1,) and labels[1][2] == 2 and labels[2][2] == 1
        assert styles[-1] == ""  # the back cover
        main = labels[2][0]
        # the printed number at the foot of a page is its label: roman in the front matter, then arabic
        for index in (main - 1, main, main + 5):
            printed = subprocess.run(["pdftotext", "-f", str(index + 1), "-l", str(index + 1), "-layout",
                                      str(pdfs[lang]["weasyprint"]), "-"], capture_output=True, text=True).stdout
            last = [line.strip() for line in printed.splitlines() if line.strip()][-1]
            assert last == _label_of(labels, index), (index, last)
        # the main matter opens with the Executive Summary
        first = subprocess.run(["pdftotext", "-f", str(main + 1), "-l", str(main + 1), str(pdfs[lang]["weasyprint"]), "-"],
                               capture_output=True, text=True).stdout
        assert ("Executive Summary" if lang == "en" else "執行摘要") in first


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_ua_metadata_survives_the_page_labels(pdfs, lang):
    with pikepdf.open(pdfs[lang]["weasyprint"]) as w:
        assert w.open_metadata().get("pdfuaid:part") == "1"
        assert w.Root.MarkInfo.Marked and "/StructTreeRoot" in w.Root
        assert str(w.Root.Lang).split("-")[0] == lang.split("-")[0]


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils")
def test_chinese_is_upright(pdfs):
    fonts = subprocess.run(["pdffonts", str(pdfs["zh-Hant"]["weasyprint"])], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    assert not re.search(r"italic|oblique", fonts, re.I), fonts
    # nothing slanted by a skewed text matrix either (WeasyPrint's synthesized italic)
    with pikepdf.open(pdfs["zh-Hant"]["weasyprint"]) as w:
        for page in w.pages:
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Tm":
                    assert abs(float(operands[2])) < 1e-6, operands


def test_proper_names_are_not_hyphenated(pdfs):
    text = subprocess.run(["pdftotext", "-layout", str(pdfs["en"]["weasyprint"]), "-"], capture_output=True, text=True).stdout
    # WeasyPrint ends a hyphenated line with U+2010; a line broken after a hyphen the text has ("Chih-")
    # ends with "-"
    hyphenated = re.findall(r"(?:^|\s)([A-Z][\w’']*)\u2010$", text, re.M)
    assert not hyphenated, hyphenated
    assert re.search(r"[a-z]\u2010$", text, re.M)  # common words are still hyphenated
    assert not re.search(r"technolo\u2010$", text, re.M)
