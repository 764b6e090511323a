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


def _runs(nodes, lang, out=None):
    """(language, text) of every text run: the language of the nearest span around it, else `lang`."""
    out = [] if out is None else out
    for n in nodes:
        if isinstance(n, Text):
            out.append((lang, n.text))
        elif getattr(n, "children", None):
            _runs(n.children, n.lang if isinstance(n, Span) else lang, out)
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
    # English as published: the run's language, whichever span around it says so (a span of the language
    # around it says nothing and is dropped)
    assert any(lang == "en" and t.startswith("Example Institute") for lang, t in _runs(table, "zh-Hant"))
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
    assert '#"; Example Institute for Public Policy, “Survey of Report Production, 2025,” June 30, 2025, "#rk-url("https://example.org/survey-2025", ("https://", "example", ".org", "/survey", "-2025", ))' in typ


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


# the sources once printed in drifting forms, each now one reference: key -> the notes that cite it
MERGED = {
    "saibochanxin2026allstar": ["n15", "n30", "n31", "n43", "n75", "n76", "n117", "n148"],
    "li2026aicompetition": ["n36", "n61", "n120", "n121", "n136", "n177"],
    "yang2026guidancefund": ["n155", "n166", "n175"],
    "gu2025wanglixing": ["n39", "n40", "n151"],
    "yu2025burningmoney": ["n134", "n145"],
    "chen2025guoxiang": ["n12", "n61", "n133"],
    "li2025weishaojun": ["n85", "n105"],
    "commonwealth2026arongbo67": ["n14", "n24", "n27", "n147", "n149"],
    "chan2025fullstack": ["n37", "n153"],
    "beraja2024govvc": ["n162", "n163"],
    "zhang2026allstar": ["n19", "n86", "n87"],
    "chang2025selfreliance": ["n106", "n167"],
    "subin2025airbnb": ["n73", "n92"],
    "anthropic2026distillation": ["n80", "n81"],
}


def test_flagship_references_are_data_and_all_cited():
    resolved = resolve(load(FLAGSHIP))
    assert not [w for w in resolved.warnings if "reference" in str(w) and "never cited" in str(w)]
    refs = list(resolved.report.references.items.values())
    assert len(json.loads((FLAGSHIP / "references.json").read_text())) >= 35
    cited = {}
    for nid, note in resolved.report.notes.items():
        for cite in citations.cites_in(note.text.nodes):
            for key in cite.keys:
                cited.setdefault(key, []).append(nid)
    for key, nids in MERGED.items():
        assert sorted(cited[key], key=lambda n: int(n[1:])) == nids, key
    # duplicates merged: no two references share a URL, or a title in the same container
    for same in (lambda r: r.get("URL"), lambda r: r.get("title") and (r["title"], r.get("container-title"))):
        values = [same(r) for r in refs if same(r)]
        assert len(values) == len(set(values)), [v for v in values if values.count(v) > 1]
    assert sum(len(v) for v in cited.values()) >= 89
    for r in refs:  # the Chinese titles carry their language and an English translation as printed
        if re.search(r"[\u4e00-\u9fff]", r["title"]):
            assert r["language"].startswith("zh"), r["id"]


def test_flagship_converted_notes_print_exactly_as_the_transcript():
    """Each converted note prints its transcript note, with the corrections of corrections*.yaml applied
    (and each correction's `printed` text is in the transcript note, its `now` text in the printed note)."""
    from test_flagship import corrected_notes, corrections, norm

    _transcript_notes()
    resolved = resolve(load(FLAGSHIP))
    notes = typeset(localize(resolved)).report.notes
    printed, _ = corrected_notes(resolved.note_number)
    converted = [nid for nid, n in resolved.report.notes.items() if any(True for _ in citations.cites_in(n.text.nodes))]
    assert len(converted) >= 89
    for nid in converted:
        number = resolved.note_number(nid)
        assert norm(plain_text(notes[nid].text.nodes)) == norm(printed[number]), nid
    for nid, entries in corrections().items():
        assert nid in converted, f"{nid} has corrections but cites no reference"
        for _, now in entries:
            assert norm(now) in norm(plain_text(notes[nid].text.nodes)), (nid, now)
    # the exact characters too, quotes aside, for the transcript the issue names (林俊旸, the short form)
    n30 = plain_text(notes["n30"].text.nodes).replace("“", '"').replace("”", '"')
    assert n30 == printed[30]
    assert n30.startswith('Saibochanxin 赛博禅心, "独家实录 | 唐杰、杨植麟、林俊旸、姚顺雨 ...All Star 对话上，大家聊了啥？ [')


def test_flagship_chinese_edition_prints_chinese_sources_in_the_chinese_form():
    notes = _notes(FLAGSHIP, "zh-Hant")
    n15, n30 = notes["n15"].text.nodes, notes["n30"].text.nodes
    title = "独家实录 | 唐杰、杨植麟、林俊旸、姚顺雨 ...All Star 对话上，大家聊了啥？"
    assert plain_text(n15) == f"赛博禅心，〈{title}〉，《WeChat Public Account》，2026年1月10日，https://mp.weixin.qq.com/s/bfTbsnluyr_k-w3XlejOg。"
    assert plain_text(n30) == f"赛博禅心，〈{title}〉。"  # cited again: the short form
    assert ("zh-Hans", title) in _spans(n30)
    assert plain_text(notes["n4"].text.nodes) == "Baptista, “China’s ByteDance Releases Doubao 2.0 AI Model for ‘Agent Era.’”"


# ---- "others": true (further authors, not listed) ----

def _render(items: dict, key: str, lang: str = "en", form: str = "full") -> str:
    library = citations.Library(items, {k: None for k in items}, {})
    return plain_text(citations.render(Cite([key], [""]), library, lang, (form,), None)[0])


def test_others_prints_the_localized_et_al_in_the_full_and_the_short_form():
    one = {"id": "one", "type": "article-magazine", "author": [{"family": "Zhang", "given": "Irene"}], "others": True,
           "title": "The Conversation", "container-title": "ChinaTalk", "issued": {"date-parts": [[2026, 1, 14]]}, "language": "en"}
    two = dict(one, id="two", author=[{"family": "Zhang", "given": "Irene"}, {"family": "Lin", "given": "Ada"}])
    four = dict(one, id="four", author=[{"family": x, "given": "A"} for x in ("B", "C", "D")])  # 3 + others: 4 or more
    chinese = {"id": "zh", "type": "article-newspaper", "title": "中美", "translated-title": "China and the US",
               "author": [{"family": "Chen", "given": "Guoxiang", "original": "陈国祥"}], "others": True,
               "container-title": "Caixin", "issued": {"date-parts": [[2025, 12, 30]]}, "language": "zh-Hans"}
    items = {i["id"]: i for i in (one, two, four, chinese)}
    assert _render(items, "one") == "Irene Zhang et al., “The Conversation,” ChinaTalk, January 14, 2026"
    assert _render(items, "one", form="short") == "Zhang et al., “The Conversation”"
    assert _render(items, "two").startswith("Irene Zhang, Ada Lin, et al., “The Conversation,”")
    assert _render(items, "two", form="short").startswith("Zhang, Lin, et al., ")
    assert _render(items, "four", form="short").startswith("B et al., ")  # the style's own et-al rule
    assert _render(items, "zh") == "Chen Guoxiang 陈国祥 et al., “中美 [China and the US],” Caixin, December 30, 2025"
    assert _render(items, "zh", "zh-Hant") == "陈国祥等，〈中美〉，《Caixin》，2025年12月30日"
    assert _render(items, "zh", "zh-Hant", "short") == "陈国祥等，〈中美〉"
    assert _render(items, "one", "zh-Hant", "short") == "Zhang et al., “The Conversation”"  # an English source stays English
    without = dict(one, id="plain", others=False)
    assert _render({"plain": without}, "plain", form="short") == "Zhang, “The Conversation”"


def test_bibtex_and_others_is_others_true_and_a_bad_others_is_an_error(tmp_path):
    from reportkit.errors import Collector

    bib = tmp_path / "refs.bib"
    bib.write_text("@online{chan2025,\n  author = {Chan, Kyle and others},\n  title = {Full Stack},\n"
                   "  url = {https://example.org/fs},\n  date = {2025},\n}\n")
    c = Collector()
    library = citations.read([(bib, "refs.bib")], c)
    assert library.items["chan2025"]["author"] == [{"family": "Chan", "given": "Kyle"}] and library.items["chan2025"]["others"] is True
    assert _render(library.items, "chan2025", form="short") == "Chan et al., “Full Stack”"
    library.items["chan2025"]["others"] = "yes"
    c = Collector()
    citations.check(library, [], c)
    assert any('"others" is true' in str(d) and "refs.bib:1" in str(d) for d in c.errors), c.items


def test_flagship_et_al_sources_print_as_printed():
    notes = _notes(FLAGSHIP)
    assert plain_text(notes["n37"].text.nodes).startswith("Kyle Chan et al., Full Stack: China’s Evolving Industrial Policy")
    assert plain_text(notes["n163"].text.nodes) == "Beraja et al., “Government Venture Capital and AI Development in China.”"
    assert plain_text(notes["n86"].text.nodes) == "Zhang et al., “The All-Star Chinese AI Conversation of 2026.”"
    assert plain_text(notes["n167"].text.nodes) == "Chang et al., “China’s Drive toward Self-Reliance in Artificial Intelligence.”"


# ---- the CSL processor's output kept in the cache ----

def test_kept_citations_equal_fresh_ones_and_a_style_edit_is_seen(tmp_path, monkeypatch):
    """A differential test: the flagship's notes in both languages formatted with an empty cache, then
    from the filled cache, equal the notes formatted with no cache at all; editing the style file (same
    name) changes what the next build prints."""
    import shutil

    from reportkit import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runs = []
    for on in (False, True, True):
        cache.set_enabled(on)
        try:
            runs.append({lang: {k: n.text.nodes for k, n in _notes(FLAGSHIP, lang).items()} for lang in (None, "zh-Hant")})
        finally:
            cache.set_enabled(None)
    assert runs[0] == runs[1] == runs[2]
    assert list((tmp_path / "cache").rglob("*")), "nothing was kept"

    folder = tmp_path / "proj" / "content" / "example"
    shutil.copytree(EXAMPLE, folder)
    style = (citations.STYLE_DIR / "chicago-fullnote.csl").read_text(encoding="utf-8")
    (folder / "house.csl").write_text(style, encoding="utf-8")
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(re.sub(r"style: chicago-fullnote", "style: house", text), encoding="utf-8")
    before = [plain_text(n.text.nodes) for n in _notes(folder).values()]
    edited = style.replace("<citation et-al-min=\"4\" et-al-use-first=\"1\">\n    <layout>",
                           "<citation et-al-min=\"4\" et-al-use-first=\"1\">\n    <layout prefix=\"Edited: \">")
    assert edited != style
    (folder / "house.csl").write_text(edited, encoding="utf-8")
    after = [plain_text(n.text.nodes) for n in _notes(folder).values()]
    assert before != after and any("Edited: " in a for a in after) and not any("Edited: " in b for b in before)


def test_no_span_repeats_the_language_around_it():
    """An English citation inside an English note that the zh-Hant edition prints as written is not
    wrapped twice (<span lang="en"><span lang="en">): presentation.plain_spans."""
    def nested(nodes, lang):
        for n in nodes:
            if isinstance(n, Span):
                yield n.lang == lang
                yield from nested(n.children, n.lang)
            elif getattr(n, "children", None):
                yield from nested(n.children, lang)

    for lang in (None, "zh-Hant"):
        notes = _notes(FLAGSHIP, lang)
        found = [nid for nid, n in notes.items() if any(nested(n.text.nodes, lang or "en"))]
        assert found == []


def test_chinese_form_dates_are_cldr_dates_of_their_precision(example_copy):
    """In the Chinese form a date is written by CLDR's pattern for the edition's locale (Babel), at the
    precision the reference gives: day, month or year."""
    import datetime

    from babel.dates import format_skeleton

    refs = example_copy / "references.json"
    text = refs.read_text(encoding="utf-8")
    for parts, skeleton in (("[[2025, 11, 3]]", "yMMMd"), ("[[2025, 11]]", "yMMM"), ("[[2025]]", "y")):
        refs.write_text(text.replace('"issued": {"date-parts": [[2025, 11, 3]]}', f'"issued": {{"date-parts": {parts}}}'),
                        encoding="utf-8")
        printed = plain_text(_notes(example_copy, "zh-Hant")["n-table"].text.nodes)
        y, m, d = (json.loads(parts)[0] + [1, 1])[:3]
        want = format_skeleton(skeleton, datetime.date(y, m, d), locale="zh_Hant_TW")
        assert f"》，{want}，" in printed, (want, printed)
        if skeleton != "yMMMd":
            assert "3日" not in printed.split("》，")[1].split("，")[0]


def test_a_key_twice_in_one_file_and_an_unreadable_bibtex_entry_are_errors_at_their_lines(example_copy):
    """Both readers keep every entry with its own line: the second "a" is reported where it stands, not
    silently kept in place of the first; an entry bibtexparser passes over is reported, not dropped."""
    refs = example_copy / "references.json"
    items = json.loads(refs.read_text())
    first = items[0]
    refs.write_text("[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items + [dict(first, title="Other")]) + "\n]\n")
    msg = _error(example_copy)
    line = len(items) + 2
    assert re.search(rf'references\.json:{line}: error: reference "{re.escape(first["id"])}" is defined twice \(first at '
                     rf'[^)]*references\.json:2\)', msg), msg
    refs.write_text("[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n")
    bib = example_copy / "references.bib"
    bib.write_text(bib.read_text() + "\n@misc{broken-entry,\n  title = {Unclosed,\n  year = {2020}\n}\n@misc{after, title={Z}}\n")
    msg = _error(example_copy)
    assert re.search(r'references\.bib:\d+: error: BibTeX entry "broken-entry" cannot be read', msg), msg
