"""`reportkit refs import FILE`: an export merged into a copy of the example report's references."""
import json
import os
import re
import subprocess
import sys

import pytest

from reportkit.cli import main

NEW_JSON = [
    {"id": "new-report", "type": "report", "title": "A New Report on Printing", "publisher": "Example Office",
     "issued": {"date-parts": [[2023, 5]]}, "author": [{"literal": "Example Office"}], "DOI": "10.1234/ABC"},
    {"id": "new-page", "type": "webpage", "title": "Typesetting Notes", "URL": "https://example.org/typesetting"},
]
NEW_BIB = """% exported by a reference manager
@book{bib-book,
  author = {Doe, Jane and {Example Office}},
  title = {A {Bib} Book},
  publisher = {Example Press},
  year = {2022},
}
"""


@pytest.fixture
def proj(example_copy, monkeypatch):
    monkeypatch.chdir(example_copy.parent.parent)
    return example_copy.parent.parent


def run(capsys, *args):
    rc = main(["refs", "import", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def write_json(path, items):
    """One item a line: item k is on line k + 1."""
    path.write_text("[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n", encoding="utf-8")
    return str(path)


def test_csl_json_is_appended_keeping_the_existing_entries_and_layout(proj, tmp_path, capsys):
    target = proj / "content/example/references.json"
    old = target.read_text()
    rc, out, err = run(capsys, write_json(tmp_path / "export.json", NEW_JSON), "content/example")
    assert rc == 0, err
    assert out.strip().splitlines()[-1].startswith("added 2 references to content/example/references.json")
    new = target.read_text()
    head = old[:old.rstrip().rfind("]")].rstrip()
    assert new.startswith(head + ",\n  {\n    \"id\": \"new-report\",\n")  # the old bytes, then the file's own layout
    assert '    "issued": {"date-parts": [[2023, 5]]},\n' in new  # nested values inline, as the file writes them
    items = json.loads(new)
    assert [i["id"] for i in items] == ["example-book", "lin-chips", "new-report", "new-page"]
    assert items[2:] == NEW_JSON


def test_bibtex_goes_into_json_as_csl_and_into_a_bib_file_as_bibtex(proj, tmp_path, capsys):
    export = tmp_path / "export.bib"
    export.write_text(NEW_BIB)
    bib = proj / "content/example/references.bib"
    old_bib = bib.read_text()
    rc, out, err = run(capsys, str(export), "content/example", "--into", "references.bib")
    assert rc == 0, err
    assert "added 1 reference to content/example/references.bib" in out
    new_bib = bib.read_text()
    assert new_bib.startswith(old_bib) and "@book{bib-book," in new_bib[len(old_bib):]

    copy = proj / "content" / "other"  # the same export into a report whose first file is CSL-JSON
    import shutil

    shutil.copytree(proj / "content/example", copy)
    bib_of_copy = copy / "references.bib"
    bib_of_copy.write_text(old_bib)
    rc, out, err = run(capsys, str(export), "content/other")
    assert rc == 0, err
    item = json.loads((copy / "references.json").read_text())[-1]
    assert item == {"id": "bib-book", "type": "book", "title": "A Bib Book", "publisher": "Example Press",
                    "author": [{"family": "Doe", "given": "Jane"}, {"literal": "Example Office"}],
                    "issued": {"date-parts": [[2022]]}}


def test_duplicates_by_id_doi_url_and_title_are_reported_and_not_added(proj, tmp_path, capsys):
    export = write_json(tmp_path / "export.json", [
        {"id": "example-book", "type": "book", "title": "Publishing Once, Printing Twice: Structured Content for Policy Research",
         "URL": "https://example.org/books/publishing-once"},
        {"id": "chips-again", "type": "webpage", "title": "Chips", "URL": "HTTPS://Example.ORG/zh/semiconductors/"},
        {"id": "book-again", "type": "book", "title": "publishing once, printing twice — structured content for policy research!",
         "issued": {"date-parts": [[2024, 2]]}, "author": [{"family": "Example", "given": "A."}]},
        NEW_JSON[0],
        {"id": "new-report-2", "type": "report", "title": "Another title", "issued": {"date-parts": [[2023]]},
         "DOI": "https://doi.org/10.1234/abc"},
    ])
    target = proj / "content/example/references.json"
    rc, out, err = run(capsys, export, "content/example")
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == (f'{export}:2: "example-book" is already in content/example/references.json:3 as "example-book" '
                        "(same id, same URL); not added")
    assert lines[1] == (f'{export}:3: "chips-again" is already in content/example/references.json:14 as "lin-chips" '
                        "(same URL); not added")
    assert lines[2].startswith(f'{export}:4: "book-again" is already in content/example/references.json:3 as "example-book" '
                               "(same title, year and first author)")
    assert lines[3] == f'{export}:6: "new-report-2" is already in {export}:5 as "new-report" (same DOI); not added'  # within the file
    assert lines[-1] == ("added 1 reference to content/example/references.json; 4 duplicates not added; "
                         "cite them in a note with [cite: KEY]")
    assert [i["id"] for i in json.loads(target.read_text())] == ["example-book", "lin-chips", "new-report"]


def test_the_same_id_for_another_source_is_a_conflict_and_nothing_is_added_for_it(proj, tmp_path, capsys):
    target = proj / "content/example/references.json"
    old = target.read_bytes()
    export = write_json(tmp_path / "export.json", [
        {"id": "example-survey2025", "type": "report", "title": "Something Else", "issued": {"date-parts": [[2020]]}}])
    rc, out, err = run(capsys, export, "content/example")
    assert rc == 0, err
    line, summary = out.strip().splitlines()
    assert line.startswith(f'{export}:2: "example-survey2025" is already in content/example/references.bib:2 for another source')
    assert "rename the key in the export" in line
    assert summary.startswith("added 0 references") and "1 conflict not added" in summary
    assert target.read_bytes() == old


@pytest.mark.parametrize("name, text, where", [
    ("bad.json", '[\n  {"id": "a", "type": "book",\n  "title": "x"\n  {"id": "b"}\n]\n', "bad.json:4:3:"),
    ("bad.bib", ("@book{ok1,\n title={A}, year={2020}}\n@article{broken,\n  title = {Broken,\n  year={2020}\n}\n"
                 "@misc{c2, title={Z}}\n"), "bad.bib:3:"),
])
def test_a_malformed_export_is_one_line_at_file_line_and_nothing_is_written(proj, tmp_path, capsys, name, text, where):
    (tmp_path / name).write_text(text)
    before = {p.name: p.read_bytes() for p in (proj / "content/example").iterdir() if p.is_file()}
    rc, out, err = run(capsys, str(tmp_path / name), "content/example")
    assert rc == 1 and not out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and where in lines[0] and ": error: " in lines[0] and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in (proj / "content/example").iterdir() if p.is_file()} == before


def test_dry_run_writes_nothing_and_says_what_it_would_do(proj, tmp_path, capsys):
    target = proj / "content/example/references.json"
    old, mtime = target.read_bytes(), target.stat().st_mtime_ns
    export = write_json(tmp_path / "export.json", NEW_JSON)
    rc, out, err = run(capsys, export, "content/example", "--dry-run")
    assert rc == 0, err
    assert f'{export}:2: would add "new-report"' in out
    assert out.strip().splitlines()[-1].startswith("would add 2 references to content/example/references.json")
    assert target.read_bytes() == old and target.stat().st_mtime_ns == mtime
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temporary file either


def test_importing_the_same_file_twice_adds_nothing_the_second_time(proj, tmp_path, capsys):
    export = tmp_path / "export.bib"
    export.write_text(NEW_BIB)
    target = proj / "content/example/references.json"
    assert run(capsys, str(export), "content/example")[0] == 0
    once = target.read_bytes()
    rc, out, _ = run(capsys, str(export), "content/example")
    assert rc == 0 and "added 0 references" in out and "1 duplicate not added" in out
    assert target.read_bytes() == once


def test_an_interrupted_write_leaves_the_old_file_intact(proj, tmp_path, capsys, monkeypatch):
    target = proj / "content/example/references.json"
    old = target.read_bytes()

    def fail(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", fail)
    rc, _, err = run(capsys, write_json(tmp_path / "export.json", NEW_JSON), "content/example")
    assert rc == 1 and "No space left on device" in err and "Traceback" not in err
    assert target.read_bytes() == old
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_report_without_references_gets_references_json_and_one_line_in_report_yaml(proj, tmp_path, capsys):
    folder = proj / "content/example"
    yaml_path = folder / "report.yaml"
    text = yaml_path.read_text()  # references: and citations: taken out, with the citations in the text
    yaml_path.write_text(re.sub(r"^references:.*?\n(?=authors:)", "", text, flags=re.S | re.M))
    (folder / "references.json").unlink()
    (folder / "references.bib").unlink()
    for chapter in folder.glob("*.yaml"):
        chapter.write_text(re.sub(r"\[cite[^\]]*\]", "", chapter.read_text()))
    before = yaml_path.read_text()
    rc, out, err = run(capsys, write_json(tmp_path / "export.json", NEW_JSON), "content/example")
    assert rc == 0, err
    assert "added `references: references.json` to content/example/report.yaml" in out
    after = yaml_path.read_text()
    assert after == before.replace("chapters:", "references: references.json\nchapters:", 1)  # comments and layout kept
    assert [i["id"] for i in json.loads((folder / "references.json").read_text())] == ["new-report", "new-page"]
    assert main(["check", "content/example", "--no-glyphs"]) == 0


def test_csl_json_that_bibtex_cannot_hold_is_refused_for_a_bib_target(proj, tmp_path, capsys):
    bib = proj / "content/example/references.bib"
    old = bib.read_bytes()
    export = write_json(tmp_path / "export.json", [
        {"id": "zh-news", "type": "article-newspaper", "title": "标题", "container-title": "报", "issued": {"date-parts": [[2021]]},
         "author": [{"family": "Lin", "given": "Fan", "original": "林范"}]}])
    rc, _, err = run(capsys, export, "content/example", "--into", "references.bib")
    assert rc == 1 and f"{export}:2:" in err and "without changing author" in err and "--into" in err
    assert bib.read_bytes() == old
    export = write_json(tmp_path / "plain.json", [  # one that BibLaTeX holds exactly is written
        {"id": "j-ok", "type": "article-journal", "title": "Fine", "container-title": "Journal",
         "issued": {"date-parts": [[2021, 2, 3]]}, "author": [{"family": "Roe", "given": "R."}]}])
    rc, _, err = run(capsys, export, "content/example", "--into", "references.bib")
    assert rc == 0, err
    assert bib.read_bytes().startswith(old) and b"@article{j-ok," in bib.read_bytes()


def test_the_console_command_imports_and_check_then_asks_to_cite_the_new_references(proj, tmp_path):
    export = tmp_path / "export.bib"
    export.write_text(NEW_BIB)
    cmd = [sys.executable, "-m", "reportkit"]
    r = subprocess.run([*cmd, "refs", "import", str(export), "content/example"], cwd=proj, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("added 1 reference"), r.stderr
    r = subprocess.run([*cmd, "check", "content/example", "--no-glyphs"], cwd=proj, capture_output=True, text=True)
    assert r.returncode == 0 and "0 errors" in r.stdout, r.stdout + r.stderr
    assert 'content/example/references.json:25: warning: reference "bib-book" is never cited; cite it with [cite: bib-book]' in r.stdout
    r = subprocess.run([*cmd, "build", "content/example", "--format", "html", "--out", str(tmp_path / "b")], cwd=proj,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*cmd, "refs", "import", "--help"], cwd=proj, capture_output=True, text=True)
    assert "--dry-run" in r.stdout and "--into" in r.stdout



NEW = {"id": "n", "issued": {"date-parts": [[2021]]}, "title": "标题"}


@pytest.mark.parametrize("old, expected", [
    (json.dumps([{"id": "a", "issued": {"date-parts": [[2020]]}}], indent="\t", ensure_ascii=False) + "\n",  # Zotero's layout
     json.dumps([{"id": "a", "issued": {"date-parts": [[2020]]}}, NEW], indent="\t", ensure_ascii=False) + "\n"),
    (json.dumps([{"id": "a", "title": "题", "issued": {"date-parts": [[2020]]}}], indent=4),  # ASCII with escapes stays so
     json.dumps([{"id": "a", "title": "题", "issued": {"date-parts": [[2020]]}}, NEW], indent=4)),
    ('[{"id": "a"}]', '[{"id": "a"}, ' + json.dumps(NEW, ensure_ascii=False) + "]"),
    ('[\n{"id": "a"},\n{"id": "b"}\n]\n', '[\n{"id": "a"},\n{"id": "b"},\n' + json.dumps(NEW, ensure_ascii=False) + "\n]\n"),
])
def test_appended_items_take_the_layout_of_the_file(old, expected):
    from reportkit.refs import json_text

    assert json_text(old, [NEW]) == expected


def test_an_import_never_writes_outside_the_report_folder(proj, tmp_path, capsys):
    """references: ../outside.json is refused by `check` (the loader) and by the import alike."""
    ry = proj / "content/example/report.yaml"
    ry.write_text(ry.read_text().replace("  - references.json", "  - ../outside.json", 1))
    export = write_json(tmp_path / "export.json", NEW_JSON)
    rc, out, err = run(capsys, export, "content/example")
    assert rc == 1 and "is outside the report folder" in err and "report.yaml:" in err
    assert not (proj / "content/outside.json").exists()
