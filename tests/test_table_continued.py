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


def _table(k: int, rows: int, nested: dict | None = None) -> dict:
    body = [[f"T{k:02d}R{j:02d}", "cell words " * 6] for j in range(1, rows + 1)]
    if nested:
        body[4] = [f"T{k:02d}R05", {"blocks": [nested]}]
    return {"table": {"id": f"tab-{k}", "caption": f"Cap{k:02d} of the table",
                      "columns": [{"title": f"H{k:02d}a", "width": 1}, {"title": f"H{k:02d}b", "width": 3}],
                      "rows": body}}


def test_continued_line_of_tables_inside_other_blocks_is_above_them_and_visible(tmp_path):
    """A table in a box (over its fill), a quote, a list item, and a table holding another table in a
    cell: each continued page says "(continued)" for its own table, where it can be seen, and every row
    is printed (a quotation ending in a table kept it on one page, and half of its rows were lost)."""
    folder = tmp_path / "content" / "r"
    folder.mkdir(parents=True)
    blocks = [
        {"sidebar": {"id": "box-1", "title": "A box", "blocks": [_table(1, 60)]}},
        {"quote": {"blocks": [_table(2, 60)]}},
        {"list": {"items": [{"text": "An item", "blocks": [_table(3, 60)]}]}},
        _table(4, 60, nested=_table(5, 3)),
    ]
    (folder / "report.yaml").write_text(yaml.safe_dump({
        "lang": "en", "title": "Tables inside blocks", "date": datetime.date(2026, 3, 15),
        "organization": "Example Institute", "organization_short": "EI", "chapters": ["ch.yaml"]}))
    (folder / "ch.yaml").write_text(yaml.safe_dump({"id": "ch-t", "title": "Tables", "blocks": blocks}))
    result = build(folder, BuildOptions(out=tmp_path / "out", formats=("pdf",), langs=["en"], brand="dset"))
    pdf = tmp_path / "out" / next(a.path for a in result.artifacts if a.format == "pdf")
    pages, marks = _pages(pdf), _marks(pdf)
    number = {int(m.group(2)): m.group(1) for lines in pages for line in lines
              for m in [re.search(r"Table (\d+)\W+Cap(\d\d)", line)] if m}
    seen = set()
    for i, lines in enumerate(pages):
        text = "\n".join(lines)
        started = {k for k in number if any(re.search(rf"\bT{k:02d}R\d\d\b", "\n".join(p)) for p in pages[:i])}
        here = [k for k in started if re.search(rf"\bT{k:02d}R\d\d\b", text)]
        said = re.findall(r"Table (\d+) \(continued\)", text)
        assert sorted(said) == sorted(number[k] for k in here if k != 5), (i + 1, said, here)
        seen.update(here)
        if said:  # drawn, not hidden under the box's fill: dark pixels where pdftotext finds the words
            top, height = marks[i]
            subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", str(i + 1), "-l", str(i + 1), str(pdf),
                            str(tmp_path / "page")], check=True)
            png = next(tmp_path.glob("page*.pgm"))
            data = png.read_bytes()
            w, h = map(int, data.split(b"\n")[1].split())
            pixels = data[-w * h:]
            band = pixels[int(top) * w:int(top + height) * w]
            assert sum(1 for p in band if p < 110) > 40, f"page {i + 1}: the line is not visible"
            png.unlink()
    assert {1, 2, 3, 4} <= seen  # every table ran over a page
    printed = "\n".join("\n".join(lines) for lines in pages)
    assert all(f"T{k:02d}R{j:02d}" in printed for k in (1, 2, 3, 4) for j in range(1, 61))
