"""The architecture's promises, each tried against a way it could break: a frozen model, one traversal
that fails on a kind it does not know (in every stage), presentation rules shared by the writers, and
the notes-style precedence."""
import dataclasses

import pytest

from reportkit import model, walk
from reportkit.build import BuildOptions, make_editions, notes_style
from reportkit.i18n.units import Walker, units
from reportkit.load import load
from reportkit.localize import localize
from reportkit.render_html import HtmlWriter, render_html
from reportkit.render_typst import TypstWriter, render_typst
from reportkit.resolve import Resolver, resolve

from conftest import EXAMPLE


def test_nodes_are_frozen_all_the_way_down():
    report = load(EXAMPLE)
    para = next(walk.blocks(report))
    with pytest.raises(dataclasses.FrozenInstanceError):
        para.id = "x"
    for node in walk.nodes(report):
        for f in dataclasses.fields(node):
            assert not isinstance(getattr(node, f.name), (list, dict)), (type(node).__name__, f.name)
    with pytest.raises(TypeError):
        report.notes["new"] = None


def test_resolving_and_localizing_twice_gives_equal_results_and_leaves_the_input_alone():
    report = load(EXAMPLE)
    before = load(EXAMPLE)
    first, second = resolve(report), resolve(report)  # a mutating resolver reported false errors here
    assert first == second
    assert report == before
    en1, en2 = localize(first), localize(first)
    assert en1.report == en2.report
    catalog = {r.source: type("E", (), {"string": r.source.upper(), "fuzzy": False, "loc": r.loc})()
               for r, _ in walk.iter_rich(report) if "[" not in r.source and "*" not in r.source}
    zh1, zh2 = localize(first, "zh-Hant", catalog), localize(first, "zh-Hant", catalog)
    assert zh1.report == zh2.report and zh1.report != report
    assert report == before  # the source tree is never written into


def test_every_stage_and_writer_handles_every_kind():
    for stage in (Resolver, Walker, TypstWriter, HtmlWriter):
        for kind in model.BLOCKS:
            assert callable(getattr(stage, "block_" + kind.KIND, None)), (stage.__name__, kind.KIND)
    for writer in (TypstWriter, HtmlWriter):
        for kind in model.INLINES:
            assert callable(getattr(writer, "inline_" + kind.KIND, None)), (writer.__name__, kind.KIND)
    with pytest.raises(TypeError, match="does not handle"):
        class Partial(walk.BlockVisitor):  # noqa: F841 - defining it is the test
            def block_para(self, b):
                pass


def test_the_example_holds_every_kind_and_every_kind_reaches_every_output():
    resolved = resolve(load(EXAMPLE))
    ed = localize(resolved)
    kinds = {type(b) for b in walk.blocks(resolved.report)}
    assert kinds == set(model.BLOCKS), set(model.BLOCKS) - kinds
    inline_kinds = {type(n) for r, _ in walk.iter_rich(resolved.report) for n in walk.inlines(r.nodes)}
    assert inline_kinds == set(model.INLINES), set(model.INLINES) - inline_kinds
    from reportkit.brand import load_brand

    brand = load_brand("dset")
    typ, html = render_typst(ed, brand, "endnotes"), render_html(ed, brand, "endnotes")
    unit_texts = {u.rich.source for u in units(resolved)}
    for rich, owner in walk.iter_rich(resolved.report.chapters):
        assert rich.source in unit_texts or not rich.source.strip(), (type(owner).__name__, rich.source)
    from reportkit.presentation import typeset

    for rich, owner in walk.iter_rich(typeset(ed).report.chapters):
        words = [t.text for t in walk.inlines(rich.nodes) if isinstance(t, model.Text) and len(t.text.strip()) > 3]
        for w in words[:1]:
            from markupsafe import escape
            from reportkit.render_typst import tstr

            assert tstr(w) in typ, (type(owner).__name__, w)
            assert str(escape(w)) in html, (type(owner).__name__, w)


@dataclasses.dataclass(frozen=True)
class Unknown:
    """A block kind no stage knows (a new kind added to the model but not to a stage)."""

    text: model.Rich
    id: str = ""


def _with_unknown_block():
    report = load(EXAMPLE)
    ch = report.chapters[1]
    rich = report.meta.title
    chapters = list(report.chapters)
    chapters[1] = dataclasses.replace(ch, blocks=ch.blocks + (Unknown(rich),))
    return dataclasses.replace(report, chapters=tuple(chapters))


def test_a_kind_a_stage_does_not_know_is_an_error_in_every_stage():
    report = _with_unknown_block()
    with pytest.raises(walk.UnknownNode):
        resolve(report)
    with pytest.raises(walk.UnknownNode):
        list(walk.iter_rich(report))  # glyph check, font subsetting
    with pytest.raises(walk.UnknownNode):
        walk.transform(report, rich=lambda r, o: r)  # localize
    good = resolve(load(EXAMPLE))
    bad = dataclasses.replace(good, report=report)
    with pytest.raises(walk.UnknownNode):
        units(bad)
    from reportkit.brand import load_brand

    ed = dataclasses.replace(localize(good), report=report)
    with pytest.raises(walk.UnknownNode):
        render_typst(ed, load_brand("dset"), "endnotes")
    with pytest.raises(walk.UnknownNode):
        render_html(ed, load_brand("dset"), "endnotes")


def test_notes_style_precedence_command_line_report_brand_default(example_copy):
    from reportkit.brand import load_brand

    plain, dset = load_brand("plain"), load_brand("dset")
    assert plain.notes == "footnotes" and dset.notes == "endnotes"
    f = example_copy / "report.yaml"
    said = load(example_copy)
    assert said.meta.notes_style == "endnotes"
    f.write_text(f.read_text().replace("notes: endnotes\n", ""))
    report = load(example_copy)
    assert report.meta.notes_style is None  # the report does not say
    assert notes_style(None, report, plain) == "footnotes"  # the brand's default is reached
    assert notes_style(None, report, dataclasses.replace(dset, notes=None)) == "endnotes"  # the built-in default
    assert notes_style(None, said, plain) == "endnotes"  # the report beats the brand
    assert notes_style("footnotes", said, plain) == "footnotes"  # the command line beats both
    ed = make_editions(resolve(report), ["en"], BuildOptions())[0]
    assert "#footnote(" in render_typst(ed, plain, notes_style(None, ed.report, plain))
    assert "#footnote(" not in render_typst(ed, dset, notes_style(None, ed.report, dset))


def _visible(html: str) -> str:
    import html as h
    import re

    body = html.split("<body", 1)[1]
    return h.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)))


def test_pdf_and_html_print_the_same_presentation_strings_in_both_languages(example_copy, tmp_path):
    import re
    import subprocess

    from reportkit import presentation as p
    from reportkit.build import build
    from reportkit.cli import main

    assert main(["i18n", "update", str(example_copy), "--lang", "zh-Hant"]) == 0
    out = tmp_path / "out"
    result = build(example_copy, BuildOptions(out=out, langs=["en", "zh-Hant"]))
    squash = lambda s: re.sub(r"\s+", "", s.replace("\u2060", ""))  # noqa: E731
    for ed in result.editions:
        base = out / "example" / f"example.{ed.locale.bcp47}"
        pdf = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", f"{base}.pdf", "-"], capture_output=True, text=True, check=True).stdout)
        html = squash(_visible((base.parent / f"{base.name}.html").read_text(encoding="utf-8")))
        r = ed.report
        table = next(b for b in walk.blocks(r) if isinstance(b, model.Table))
        figure = next(b for b in walk.blocks(r) if isinstance(b, model.Figure) and b.source)
        quote = next(b for b in walk.blocks(r) if isinstance(b, model.Quote) and b.attribution and b.kind == "quote")
        expected = {
            "caption": p.label(ed, table.id) + p.caption_separator(ed) + table.caption.plain(),
            "source line": p.source_prefix(ed) + figure.source.plain(),
            "attribution": p.attribution_prefix(ed) + quote.attribution.plain(),
            "box label": p.label(ed, next(b.id for b in walk.blocks(r) if isinstance(b, model.Sidebar))),
            "chapter label": p.label(ed, r.chapters[1].id),
            "authors": p.author_list(ed, p.author_names(ed)),
            "date": p.date_text(ed),
        }
        for what, text in expected.items():
            assert squash(text) in pdf, (ed.locale.bcp47, what, text)
            assert squash(text) in html, (ed.locale.bcp47, what, text)
        if ed.locale.is_cjk:
            assert "資料來源：" in html and "資料來源：" in pdf and "資料來源:" not in pdf
            assert "——" in expected["attribution"]
        else:
            assert "Source:" in pdf and " and " in expected["authors"]


def test_author_lists_follow_cldr_with_spacing_around_latin_names_in_chinese():
    from reportkit.presentation import author_list

    resolved = resolve(load(EXAMPLE))
    en, zh = localize(resolved), localize(resolved, "zh-Hant", {})
    assert author_list(en, ["A", "B"]) == "A and B" and author_list(en, ["A", "B", "C"]) == "A, B, and C"
    assert author_list(zh, ["甲", "乙"]) == "甲和乙"
    assert author_list(zh, ["Ann Lee", "Bo Chen"]) == "Ann Lee 和 Bo Chen"


def test_table_units_keep_two_body_rows_on_every_page_and_group_rows_with_their_rows():
    """One rule for both engines (presentation.table_units): the Typst PDF and the paged HTML part a
    table only between these runs."""
    from types import SimpleNamespace

    from reportkit.presentation import table_units

    def units(pattern):  # "g" a group row, "r" a body row
        rows = [SimpleNamespace() if k == "g" else SimpleNamespace(cells=()) for k in pattern]
        return [pattern[s:e] for s, e in table_units(rows)]

    assert units("") == []
    assert units("rrr") == ["rrr"] and units("grgrr") == ["grgrr"]  # three body rows or fewer: one run
    assert units("rrrrrr") == ["rr", "r", "r", "rr"]
    assert units("grrrr") == ["grr", "rr"]  # a group row stays with the first two body rows
    assert units("rrrgr") == ["rr", "rgr"]  # and with the last two
    assert units("rrgrrrr") == ["rr", "gr", "r", "rr"]  # a group row goes with the row after it
    for pattern in ("rrrrrr", "grrrr", "rrrgr", "rrgrrrr", "grrgrrgrrr"):
        runs = units(pattern)
        assert "".join(runs) == pattern
        assert runs[0].count("r") >= 2 and runs[-1].count("r") >= 2 and all(not r.endswith("g") for r in runs)
    # two group rows in a row may be parted: a table of group rows (or of many and few body rows) is
    # never one run taller than a page, whose end Typst would drop
    assert units("g" * 40) == ["g"] * 40
    assert units("ggggrrrr") == ["g", "g", "g", "grr", "rr"]
    assert units("ggrgr") == ["g", "grgr"]
    import random

    rnd = random.Random(7)
    for _ in range(500):
        pattern = "".join(rnd.choice("gr") for _ in range(rnd.randint(0, 30)))
        runs = units(pattern)
        assert "".join(runs) == pattern
        assert all("gg" not in r for r in runs)  # no run holds two group rows in a row
        # a group row stays with the body row after it
        assert all(not r.endswith("g") or nxt.startswith("g") for r, nxt in zip(runs, runs[1:]))
