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
    order = [n.id for n in r.notes_order]
    assert order == ["n-bio", "n-first", "n-idiom", "n-data", "n-fig", "n-cell", "n-table"]
    assert [n.number for n in r.notes_order] == list(range(1, 8))


def test_warnings_for_placeholders_and_unreferenced(example_copy):
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("The results in [@tab-results] and", "The results and"))
    (example_copy / "summary.yaml").write_text((example_copy / "summary.yaml").read_text().replace("[@tab-results]", "the table"))
    r = resolve(load(example_copy))
    msgs = [str(w) for w in r.warnings]
    assert any('table "tab-results" is never referenced' in m for m in msgs)
    assert any('figure "fig-missing" has no artwork' in m for m in msgs)
