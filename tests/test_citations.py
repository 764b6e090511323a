"""Citations as data: references files (CSL-JSON, BibTeX), the [cite: …] syntax, the checks of `check`,
rendering through citeproc-py in the report's style and the edition's language, and the flagship's
converted notes (still printed exactly as in the source transcript)."""
import json
import re

import pytest

from conftest import EXAMPLE, FLAGSHIP
from reportkit import citations, inline
from reportkit.errors import ReportError
from reportkit.load import load
from reportkit.localize import localize
from reportkit.model import Cite, Emph, Link, NoteRef, Span, Text, XRef, plain_text
from reportkit.presentation import typeset
from reportkit.resolve import resolve


def _notes(folder, lang=None):
    resolved = resolve(load(folder))
    edition = localize(resolved, lang, {}) if lang else localize(resolved)
    return typeset(edition).report.notes


def _spans(nodes, out=None):
    out = [] if out is None else out
    for n in nodes:
        if isinstance(n, Span):
            out.append((n.lang, plain_text(n.children)))
        if getattr(n, "children", None):
            _spans(n.children, out)
    return out


def _error(folder):
    with pytest.raises(ReportError) as e:
        resolve(load(folder))
    return str(e.value)


# ---- syntax ----

def test_cite_syntax_with_locators_forms_and_free_text():
    nodes = inline.parse("[cite: a2025, p. 3]; see also [cite-short: b; c.d:2, chap. 2] and [^n1] [@tab-x].")
    assert nodes[0] == Cite(["a2025"], ["p. 3"])
    assert nodes[1] == Text("; see also ")
    assert nodes[2] == Cite(["b", "c.d:2"], ["", "chap. 2"], "short")
    assert NoteRef("n1") in nodes and XRef("tab-x") in nodes  # no collision with notes and cross-references
    assert inline.parse("[cite-full: k]") == [Cite(["k"], [""], "full")]
    assert inline.parse(r"\[cite: k] is literal") == [Text("[cite: k] is literal")]
    with pytest.raises(inline.InlineError, match="bad citation"):
        inline.parse("[cite: two words]")
    # a translation must keep its citations
    assert ("cite", ("a",), ("p. 5",), "") in inline.placeholders(inline.parse("x[cite: a, p. 5]"))


def test_locators():
    assert citations.parse_locator("p. 5") == ("page", "5")
    assert citations.parse_locator("pp. 57–58") == ("page", "57–58")
    assert citations.parse_locator("12") == ("page", "12")
    assert citations.parse_locator("chap. 3") == ("chapter", "3")
    assert citations.parse_locator("whatever 3") is None


# ---- the example: English edition ----

def test_example_english_full_short_bibtex_and_languages():
    notes = _notes(EXAMPLE)
    fig = plain_text(notes["n-fig"].text.nodes)
    assert fig == ("Ada Example, Publishing Once, Printing Twice: Structured Content for Policy Research "
                   "(Example University Press, 2024), 42, https://example.org/books/publishing-once; "
                   "the filings are listed in .")  # (the cross-reference is a node of its own)
    assert any(isinstance(n, Emph) for n in notes["n-fig"].text.nodes)
    assert any(isinstance(n, Link) and n.auto for n in notes["n-fig"].text.nodes)
    table = notes["n-table"].text.nodes
    text = plain_text(table)
    # a Chinese web article: original-script author and title, translated title in brackets
    assert text.startswith("Lin Fanli 林范例, “台湾半导体产业的下一步 [The Next Step for Taiwan’s Semiconductor Industry],” "
                           "Example Daily, November 3, 2025, https://example.org/zh/semiconductors; ")
    # a BibTeX entry (organization as author), then the book again: its short form with a page range
    assert "; Example Institute for Public Policy, “Survey of Report Production, 2025,” June 30, 2025, " in text
    assert text.endswith("; Example, Publishing Once, 57–58.")
    # every original-script run is tagged with its language (the title's from the reference's `language`)
    assert ("zh-Hans", "台湾半导体产业的下一步") in _spans(table)
    assert ("zh-Hans", "林范例") in _spans(table)


def test_example_chinese_edition_uses_the_chinese_form_and_keeps_english_sources():
    notes = _notes(EXAMPLE, "zh-Hant")
    table = notes["n-table"].text.nodes
    text = plain_text(table)
    assert text.startswith("林范例，〈台湾半导体产业的下一步〉，《Example Daily》，2025年11月3日，https://example.org/zh/semiconductors；")
    assert "Example Institute for Public Policy, “Survey of Report Production, 2025,” June 30, 2025" in text
    spans = _spans(table)
    assert ("zh-Hans", "台湾半导体产业的下一步") in spans  # Simplified stays Simplified, in its own span
    assert any(lang == "zh-Hant" and "〈" in t for lang, t in spans)  # the Chinese form is Traditional text
    assert any(lang == "en" and t.startswith("Example Institute") for lang, t in spans)  # English as published
    assert plain_text(notes["n-fig"].text.nodes).startswith("Ada Example, Publishing Once")


def test_both_writers_print_the_expanded_citation():
    from reportkit.brand import load_brand
    from reportkit.build import BuildOptions, make_editions
    from reportkit.render_html import render_html
    from reportkit.render_typst import render_typst

    ed = make_editions(resolve(load(EXAMPLE)), ["en"], BuildOptions())[0]
    brand = load_brand("dset")
    html = render_html(ed, brand, "endnotes")
    typ = render_typst(ed, brand, "endnotes")
    assert '“<span lang="zh-Hans">台湾半导体产业的下一步</span> [The Next Step' in html
    assert '<span lang="zh-Hans">林范例</span>' in html
    assert "[cite:" not in html and "[cite:" not in typ
    assert '#rk-span("zh-Hans")[#"台湾半导体产业的下一步"]#" [The Next Step for Taiwan’s Semiconductor Industry],” "#emph[#"Example Daily"]' in typ
    assert '#"; Example Institute for Public Policy, “Survey of Report Production, 2025,” June 30, 2025, "#rk-url("https://example.org/survey-2025")' in typ


def test_forms_follow_the_report_option_and_explicit_forms(example_copy):
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("[cite: lin-chips; example-survey2025; example-book, pp. 57–58]",
                                       "[cite-short: lin-chips]; [cite: example-survey2025; example-book, pp. 57–58; lin-chips]"))
    text = plain_text(_notes(example_copy)["n-table"].text.nodes)
    # [cite-short:] prints the short form even at the first citation; the book (cited before) is short
    assert text.startswith("Lin Fanli 林范例, “台湾半导体产业的下一步 [The Next Step for Taiwan’s Semiconductor Industry]”; "
                           "Example Institute for Public Policy, “Survey of Report Production, 2025,” June 30, 2025, ")
    assert text.endswith("; Example, Publishing Once, 57–58; Lin Fanli 林范例, “台湾半导体产业的下一步 [The Next Step for Taiwan’s "
                         "Semiconductor Industry].”")
    r = example_copy / "report.yaml"
    r.write_text(r.read_text().replace("subsequent: short", "subsequent: full"))
    text = plain_text(_notes(example_copy)["n-table"].text.nodes)  # every citation in full
    assert "; Ada Example, Publishing Once, Printing Twice: Structured Content for Policy Research (Example University Press, 2024), 57–58, " in text
    assert text.endswith("; Lin Fanli 林范例, “台湾半导体产业的下一步 [The Next Step for Taiwan’s Semiconductor Industry],” Example Daily, "
                         "November 3, 2025, https://example.org/zh/semiconductors.")


# ---- checks ----

def test_unknown_key_is_an_error_at_the_citing_note(example_copy):
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("[cite: lin-chips;", "[cite: lin-chip;"))
    line = next(i for i, l in enumerate(f.read_text().splitlines(), 1) if l.startswith("  n-table:"))
    msg = _error(example_copy)
    assert re.search(rf"findings\.yaml:{line}:\d+: error: unknown reference \"lin-chip\" \(did you mean \"lin-chips\"\?\)", msg), msg


def test_unused_reference_warns_at_its_line_in_csl_json_and_bibtex(example_copy):
    refs = json.loads((example_copy / "references.json").read_text())
    refs.append({"id": "spare", "type": "webpage", "title": "Spare", "URL": "https://example.org/spare"})
    (example_copy / "references.json").write_text(json.dumps(refs, ensure_ascii=False, indent=2))
    bib = example_copy / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{spare-bib,\n  title = {Spare},\n  url = {https://example.org/b},\n}\n")
    warnings = [str(w) for w in resolve(load(example_copy)).warnings]
    json_line = next(i for i, l in enumerate((example_copy / "references.json").read_text().splitlines(), 1) if '"spare"' in l)
    bib_line = next(i for i, l in enumerate(bib.read_text().splitlines(), 1) if "spare-bib" in l)
    assert any(f"references.json:{json_line}: warning: reference \"spare\" is never cited" in w for w in warnings), warnings
    assert any(f"references.bib:{bib_line}: warning: reference \"spare-bib\" is never cited" in w for w in warnings), warnings


def test_a_reference_missing_what_its_type_requires(example_copy):
    p = example_copy / "references.json"
    p.write_text(p.read_text().replace('"container-title": "Example Daily",', ""))
    line = next(i for i, l in enumerate(p.read_text().splitlines(), 1) if '"lin-chips"' in l)
    msg = _error(example_copy)
    assert f"references.json:{line}: error: reference \"lin-chips\" (article-newspaper) lacks container-title" in msg, msg
    b = example_copy / "references.bib"
    b.write_text(b.read_text().replace("  url       = {https://example.org/survey-2025},\n", ""))
    assert "references.bib:2: error: reference \"example-survey2025\" (webpage) lacks URL" in _error(example_copy)


def test_other_citation_errors(example_copy):
    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("example-book, pp. 57–58]", "example-book, folio 57]"))
    assert 'locator "folio 57" of "example-book"' in _error(example_copy)
    f.write_text(f.read_text().replace("example-book, folio 57]", "example-book]").replace(
        "  - p: The results in", '  - p: "Cited in the text [cite: example-book]."\n  - p: The results in', 1))
    assert "a citation [cite: …] stands in a note" in _error(example_copy)
    p = example_copy / "references.json"
    p.write_text('[\n  {"id": "x",\n  }\n]')
    msg = _error(example_copy)
    assert re.search(r"references\.json:3:\d+: error: not valid CSL-JSON", msg), msg
    r = example_copy / "report.yaml"
    r.write_text(r.read_text().replace("style: chicago-fullnote", "style: chicago-fulnote"))
    assert 'report.yaml:14:10: error: citation style "chicago-fulnote" not found (did you mean "chicago-fullnote"?)' in _error(example_copy)


def test_check_command_reports_citation_problems(example_copy):
    from reportkit.cli import main

    f = example_copy / "findings.yaml"
    f.write_text(f.read_text().replace("[cite: lin-chips;", "[cite: nobody;"))
    assert main(["check", str(example_copy)]) == 1


# ---- the flagship ----

def _transcript_notes():
    from test_flagship import SOURCE, source_parts

    if not SOURCE.is_file():
        pytest.skip("shared/source/four-ounces.txt not present")
    return source_parts()[1]


def test_flagship_references_are_data_and_all_cited():
    refs = json.loads((FLAGSHIP / "references.json").read_text())
    assert len(refs) >= 24
    resolved = resolve(load(FLAGSHIP))
    assert not [w for w in resolved.warnings if "reference" in str(w) and "never cited" in str(w)]
    cited = {}
    for nid, note in resolved.report.notes.items():
        for cite in citations.cites_in(note.text.nodes):
            for key in cite.keys:
                cited.setdefault(key, []).append(nid)
    assert sorted(cited["saibochanxin2026allstar"]) == ["n30", "n31"]
    assert all(len(v) >= 2 for v in cited.values())  # every converted source is cited two or more times
    assert sum(len(v) for v in cited.values()) >= 55
    for r in refs:  # the Chinese titles carry their language and an English translation as printed
        if re.search(r"[\u4e00-\u9fff]", r["title"]):
            assert r["language"].startswith("zh") and (r.get("translated-title") or r["id"] == "")


def test_flagship_converted_notes_print_exactly_as_the_transcript():
    from test_flagship import norm

    printed = _transcript_notes()
    resolved = resolve(load(FLAGSHIP))
    notes = typeset(localize(resolved)).report.notes
    converted = [nid for nid, n in resolved.report.notes.items() if any(True for _ in citations.cites_in(n.text.nodes))]
    assert len(converted) >= 55
    for nid in converted:
        number = resolved.note_number(nid)
        assert norm(plain_text(notes[nid].text.nodes)) == norm(printed[number]), nid
    # the exact characters too, quotes aside, for the transcript the issue names
    n30 = plain_text(notes["n30"].text.nodes).replace("“", '"').replace("”", '"')
    assert n30 == printed[30]


def test_flagship_chinese_edition_prints_chinese_sources_in_the_chinese_form():
    notes = _notes(FLAGSHIP, "zh-Hant")
    n30 = notes["n30"].text.nodes
    assert plain_text(n30) == "赛博禅心，〈独家实录 | 唐杰、杨植麟、林俊阳、姚顺雨 ...All Star 对话上，大家聊了啥？〉，2026年1月10日。"
    assert ("zh-Hans", "独家实录 | 唐杰、杨植麟、林俊阳、姚顺雨 ...All Star 对话上，大家聊了啥？") in _spans(n30)
    assert plain_text(notes["n4"].text.nodes) == "Baptista, “China’s ByteDance Releases Doubao 2.0 AI Model for ‘Agent Era.’”"
