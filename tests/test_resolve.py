import pytest

from reportkit.load import load
from reportkit.resolve import resolve


def test_numbers_and_labels(example_copy):
    r = resolve(load(example_copy))
    t = r.targets
    assert t["ch-summary"].number == ""  # unnumbered part
    assert (t["ch-method"].number, t["ch-findings"].number) == ("1", "2")
    assert t["sec-data"].number == "1.1"
    assert t["sec-data-sources"].number == ""  # level 3 unnumbered by default
    assert (t["fig-flow"].number, t["fig-missing"].number, t["tab-results"].number, t["box-terms"].number) == ("1", "2", "1", "1")
    assert t["step-two"].number == "2"
    assert (t["n-data"].kind, t["n-data"].number) == ("note", "4")


def test_notes_numbered_by_first_use_including_cells_and_captions(example_copy):
    r = resolve(load(example_copy))
    order = list(r.notes_order)
    assert order == ["n-bio", "n-first", "n-idiom", "n-data", "n-fig", "n-cell", "n-table"]
    assert [r.note_number(n) for n in r.notes_order] == list(range(1, 8))


def test_warnings_for_placeholders_and_unreferenced(example_copy):
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("The results in [@tab-results] and", "The results and"))
    (example_copy / "summary.yaml").write_text((example_copy / "summary.yaml").read_text().replace("[@tab-results]", "the table"))
    r = resolve(load(example_copy))
    msgs = [str(w) for w in r.warnings]
    assert any('table "tab-results" is never referenced' in m for m in msgs)
    assert any('figure "fig-missing" has no artwork' in m for m in msgs)


# Input `check` accepted but `build` crashed on (or printed wrongly): each is now either built or refused
# by check with its file:line. (file, text, replaced by, expected words of the error, or None if it builds)
EDGES = {
    "note in a section title": ("method.yaml", "      title: Data\n", "      title: Data[^n-data]\n", "a note cannot stand in a title or heading"),
    "cross-reference in a chapter title": ("method.yaml", "title: Method\n", "title: Method [@fig-flow]\n", "a cross-reference cannot stand in a title"),
    "cross-reference to a paragraph": ("findings.yaml", "see also [@n-data]", "see also [@quoted]", 'points at a paragraph'),
    "unknown reference in an about title": ("../example/report.yaml", "title: About the Example Institute", "title: About [@nowhere]",
                                            'unknown reference "[@nowhere]"'),
    "note in alt text": ("method.yaml", "alt: A flow", "alt: A[^n-data] flow", "alt text is read aloud"),
    "note cited only by a note cited only by a note": ("findings.yaml", "  n-data: Data note.", "  n-data: Data note.[^n-deep]\n  n-deep: Deep.[^n-deeper]\n  n-deeper: Deeper.", None),
}


@pytest.mark.parametrize("case", list(EDGES), ids=list(EDGES))
def test_what_check_accepts_build_builds(case, example_copy, tmp_path, capsys):
    from reportkit.build import BuildOptions, build
    from reportkit.cli import main

    file, old, new, error = EDGES[case]
    path = (example_copy / file).resolve()
    text = path.read_text()
    if case == "cross-reference to a paragraph":
        text = text.replace("  - p: The results in", "  - id: quoted\n    p: The results in", 1)
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    code = main(["check", str(example_copy), "--no-glyphs"])
    out = capsys.readouterr()
    if error:
        assert code == 1
        line = next(x for x in (out.out + out.err).splitlines() if error in x)
        assert line.startswith(str(example_copy.name) + "/") or f"{path.name}:" in line, line
        assert "Traceback" not in out.out + out.err
    else:
        assert code == 0, out.out + out.err
        result = build(example_copy, BuildOptions(out=tmp_path / "out"))
        assert {a.format for a in result.artifacts} == {"pdf", "html"}
        r = resolve(load(example_copy))
        assert r.notes_order[-2:] == ("n-deep", "n-deeper")
