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


def line_of(path, needle):
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_example_loads_with_every_kind(example_copy):
    r = resolve(load(example_copy))
    kinds = {t.kind for t in r.targets.values()}
    assert {"chapter", "section", "table", "figure", "sidebar", "item"} <= kinds
    assert [n.id for n in r.notes_order][:2] == ["n-bio", "n-first"]


def test_unknown_reference_with_did_you_mean(example_copy):
    f = example_copy / "findings.yaml"
    edit(f, "[@tab-results] and", "[@tab-result] and")
    errs = errors_of(example_copy)
    assert any(e.startswith(f"{f}:{line_of(f, '[@tab-result] and')}:") and 'did you mean "tab-results"' in e for e in errs), errs


def test_duplicate_id(example_copy):
    f = example_copy / "method.yaml"
    edit(f, "id: box-terms", "id: sec-data")
    errs = errors_of(example_copy)
    assert any('duplicate id "sec-data"' in e and f":{line_of(f, 'id: sec-data')+0}" in e or 'duplicate id "sec-data"' in e for e in errs)
    assert any(e.startswith(str(f)) and "duplicate id" in e for e in errs)


def test_note_defined_never_referenced(example_copy):
    f = example_copy / "findings.yaml"
    edit(f, "  n-data: Data note.", "  n-data: Data note.\n  n-unused: Nobody cites me.")
    errs = errors_of(example_copy)
    assert f"{f}:{line_of(f, 'n-unused')}:3: error: note \"n-unused\" is defined but never referenced" in "\n".join(errs)


def test_note_referenced_not_defined(example_copy):
    f = example_copy / "method.yaml"
    edit(f, "public filings.[^n-data]", "public filings.[^n-dta]")
    errs = errors_of(example_copy)
    line = line_of(f, "[^n-dta]")
    assert any(e.startswith(f"{f}:{line}:") and 'note "n-dta" is referenced but not defined' in e and "n-data" in e for e in errs)


def test_missing_image_file(example_copy):
    f = example_copy / "method.yaml"
    edit(f, "figures/flow.svg", "figures/nope.svg")
    errs = errors_of(example_copy)
    assert any(e.startswith(f"{f}:{line_of(f, 'figures/nope.svg')}:") and "not found" in e for e in errs)


def test_image_may_not_leave_report_folder(example_copy):
    f = example_copy / "method.yaml"
    edit(f, "figures/flow.svg", "../../../../etc/passwd.svg")
    assert any("outside the report folder" in e for e in errors_of(example_copy))


def test_unknown_block_kind_with_did_you_mean(example_copy):
    f = example_copy / "findings.yaml"
    edit(f, "  - pullquote:", "  - pulquote:")
    errs = errors_of(example_copy)
    assert f'{f}:{line_of(f, "pulquote")}:5: error: unknown block kind "pulquote" (did you mean "pullquote"?)' in errs


def test_unknown_key_with_did_you_mean(example_copy):
    f = example_copy / "findings.yaml"
    edit(f, "      caption: Results by group", "      captoin: Results by group")
    errs = errors_of(example_copy)
    assert any(e.startswith(f"{f}:{line_of(f, 'captoin')}:") and 'unknown key "captoin"' in e and '"caption"' in e for e in errs)


def test_wrong_value_type(example_copy):
    f = example_copy / "method.yaml"
    edit(f, "      ordered: true", "      ordered: [yes]")
    errs = errors_of(example_copy)
    assert any(e.startswith(f"{f}:{line_of(f, 'ordered: [yes]')}:") and '"ordered" must be true or false' in e for e in errs)


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
