"""The "Table N (continued)" line of the Typst PDF, tried on many tables that fall at random places: it
is on every page a table continues on, above the repeated header, and nowhere else (not on a table's
first page, not on the page after a table that ended at a page's foot, not for a table that is not on
the page). The page header draws it from where tables begin and end, so this is what could go wrong."""
import datetime
import random
import re
import subprocess
import sys

import pytest
import yaml

from reportkit.build import BuildOptions, build


def _report(folder, seed: int, tables: int = 24) -> None:
    """content/r/ under `folder`: tables of 1 to 40 rows, text of random length before each."""
    rnd = random.Random(seed)
    blocks = []
    for k in range(1, tables + 1):
        blocks.append({"p": " ".join(["Filler text between the tables of this report."] * rnd.randint(0, 14))})
        rows = [[f"T{k:02d}R{j:02d}", " ".join(["cell"] * rnd.randint(1, 30))] for j in range(1, rnd.randint(1, 40) + 1)]
        blocks.append({"table": {"id": f"tab-{k}", "caption": f"Cap{k:02d} of the table",
                                 "columns": [{"title": f"H{k:02d}a", "width": 1}, {"title": f"H{k:02d}b", "width": 3}],
                                 "rows": rows}})
    folder.mkdir(parents=True)
    (folder / "report.yaml").write_text(yaml.safe_dump({
        "lang": "en", "title": "Tables at random places", "date": datetime.date(2026, 3, 15),
        "organization": "Example Institute", "organization_short": "EI", "chapters": ["ch.yaml"]}))
    (folder / "ch.yaml").write_text(yaml.safe_dump({"id": "ch-tables", "title": "Tables", "blocks": blocks},
                                                   allow_unicode=True))


def _marks(pdf) -> dict[int, tuple[float, float]]:
    """page index -> (top, height) in pt of the word "(continued)", as pdftotext places it"""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = {}
    for i, page in enumerate(html.split("<page ")[1:]):
        for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">\(continued\)</word>', page):
            found[i] = (float(y0), float(y1) - float(y0))
    return found


def _pages(pdf) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page.splitlines() for page in text.split("\f")]


BARE = {"running-header: title": "running-header: none",
        "margin: {top: 25,": "margin: {top: 41,"}


# seed 2 with a brand of its own: no running head (the line is drawn all the same) and a deeper top
# margin (the line still lands on the table's band)
@pytest.mark.parametrize("seed,brand,top_mm", [(1, "dset", 26), (2, "bare", 41)])
def test_continued_line_exactly_where_a_table_continues(tmp_path, seed, brand, top_mm):
    _report(tmp_path / "content" / "r", seed)
    subprocess.run([sys.executable, "-m", "reportkit", "new-brand", "bare"], cwd=tmp_path, check=True, capture_output=True)
    brand_file = tmp_path / "styles" / "bare" / "brand.yaml"
    text = brand_file.read_text()
    for old, new in BARE.items():
        assert old in text
        text = text.replace(old, new)
    brand_file.write_text(text)
    result = build(tmp_path / "content" / "r",
                   BuildOptions(out=tmp_path / "out", formats=("pdf",), langs=["en"], brand=brand))
    pdf = tmp_path / "out" / next(a.path for a in result.artifacts if a.format == "pdf")
    pages, bboxes = _pages(pdf), _marks(pdf)
    number = {}  # table k -> its printed number
    for lines in pages:
        for line in lines:
            m = re.search(r"Table (\d+)\W+Cap(\d\d)", line)
            if m:
                number[int(m.group(2))] = m.group(1)
    assert len(number) == 24
    continued_anywhere = 0
    for i, lines in enumerate(pages):
        marks = [(n, line) for n, line in enumerate(lines) if "(continued)" in line]
        assert len(marks) <= 1, (i + 1, marks)
        expected = None
        for k, printed in number.items():
            rows = [n for n, line in enumerate(lines) if re.search(rf"\bT{k:02d}R\d\d\b", line)]
            earlier = any(re.search(rf"\bT{k:02d}R\d\d\b", "\n".join(p)) for p in pages[:i])
            if rows and earlier:
                expected = (printed, k, rows)
        if expected is None:
            assert not marks, f"page {i + 1}: {marks} but no table continues there"
            continue
        printed, k, rows = expected
        assert marks, f"page {i + 1}: table {printed} continues here unmarked"
        n, line = marks[0]
        assert f"Table {printed} (continued)" in line, (i + 1, line)
        header = next(h for h, text in enumerate(lines) if f"H{k:02d}a" in text)
        assert n < header < rows[0], f"page {i + 1}: the mark is not above the repeated header"
        # in the table's band at the top of the text area (its glyphs' box starts a quarter of its
        # height above it, as on the flagship's page 19)
        top, height = bboxes[i]
        assert -0.35 < (top - top_mm / 25.4 * 72) / height < -0.15, (i + 1, top, height)
        continued_anywhere += 1
    assert continued_anywhere >= 3  # the tables did run over pages
