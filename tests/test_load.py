"""Each check of `reportkit check` provoked from a broken copy of the example, with its exact file:line."""
import pytest

from reportkit.errors import ReportError
from reportkit.load import load
from reportkit.resolve import resolve


def errors_of(folder):
    with pytest.raises(ReportError) as e:
        resolve(load(folder))
    return [str(d) for d in e.value.diagnostics]


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def line_of(path, needle, last=False):
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert lines, needle
    return lines[-1] if last else lines[0]


def test_example_loads_with_every_kind(example_copy):
    r = resolve(load(example_copy))
    kinds = {t.kind for t in r.targets.values()}
    assert {"chapter", "section", "table", "figure", "sidebar", "item"} <= kinds
    assert list(r.notes_order)[:2] == ["n-bio", "n-first"]


# Each check provoked from a broken copy of the example: (file, text, replaced by, expected words).
# The error must name the file and the exact line of the broken text.
BROKEN = {
    "unknown reference": ("findings.yaml", "[@tab-results] and", "[@tab-result] and",
                          ['unknown reference "[@tab-result]"', 'did you mean "tab-results"']),
    "duplicate id": ("method.yaml", "id: box-terms", "id: sec-data", ['duplicate id "sec-data"']),
    "note not defined": ("method.yaml", "public filings.[^n-data]", "public filings.[^n-dta]",
                         ['note "n-dta" is referenced but not defined', 'did you mean "n-data"']),
    "missing image": ("method.yaml", "figures/flow.svg", "figures/nope.svg", ['image file "figures/nope.svg" not found']),
    "unknown block kind": ("findings.yaml", "  - pullquote:", "  - pulquote:",
                           ['unknown block kind "pulquote" (did you mean "pullquote"?)']),
    "unknown key": ("findings.yaml", "      caption: Results by group", "      captoin: Results by group",
                    ['unknown key "captoin" in a table', 'did you mean "caption"']),
    "wrong type": ("method.yaml", "      ordered: true", "      ordered: [yes]", ['"ordered" must be true or false']),
}


@pytest.mark.parametrize("case", BROKEN)
def test_each_check_names_file_and_line(example_copy, case):
    name, old, new, words = BROKEN[case]
    f = example_copy / name
    edit(f, old, new)
    line = line_of(f, new.strip(), last=True)  # the edited place (a duplicate id is the later one)
    errs = errors_of(example_copy)
    assert any(e.startswith(f"{f}:{line}:") and all(w in e for w in words) for e in errs), errs


def test_image_may_not_leave_report_folder(example_copy):
    edit(example_copy / "method.yaml", "figures/flow.svg", "../../../../etc/passwd.svg")
    assert any("outside the report folder" in e for e in errors_of(example_copy))


def test_malformed_yaml_names_line_and_column(example_copy):
    f = example_copy / "summary.yaml"
    f.write_text("id: ch-summary\ntitle: [unclosed\nblocks: []\n")
    errs = errors_of(example_copy)
    assert len(errs) == 1 and errs[0].startswith(f"{f}:") and "YAML syntax" in errs[0]


def test_missing_chapter_file(example_copy):
    (example_copy / "findings.yaml").unlink()
    errs = errors_of(example_copy)
    f = example_copy / "report.yaml"
    assert any(e.startswith(f"{f}:{line_of(f, 'findings.yaml')}:") and '"findings.yaml" not found' in e for e in errs)


def test_bad_inline_markup_names_column(example_copy):
    f = example_copy / "summary.yaml"
    edit(f, "title: Summary", "title: Sum *mary")
    errs = errors_of(example_copy)
    assert f'{f}:2:12: error: unclosed "*"; close it or write \\* for a literal star' in errs


def test_glyph_coverage_names_the_text_and_character(example_copy):
    from reportkit.glyphs import check_glyphs

    f = example_copy / "method.yaml"
    edit(f, "The data come from public filings.", "The data come from public filings \U0001F99C.")
    diags = check_glyphs(resolve(load(example_copy)), "dset")
    assert len(diags) == 1
    d = str(diags[0])
    assert d.startswith(f"{f}:{line_of(f, 'public filings')}:") and "U+1F99C" in d
