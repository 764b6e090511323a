"""Write an Edition as Typst source: brand + meta dictionaries, the brand's template, then calls to its
rk-* functions. Every text is emitted as a Typst string literal, so content can never become code."""
from __future__ import annotations

import re

from . import presentation as present
from .brand import Brand
from .localize import Edition
from .model import GroupRow, Rich, Text
from .walk import BlockVisitor, InlineVisitor


LONG = 40  # characters: longer words than this cannot fit a line of the narrowest brand


class Markup(str):
    """Typst markup already escaped by this module; emitted inside [ ]."""


class Raw(str):
    """A Typst expression made by this module from validated values (e.g. an alignment keyword)."""


def tstr(s: str) -> str:
    """A Typst string literal holding `s` exactly."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def tvalue(v) -> str:
    """A Python value as a Typst expression."""
    if isinstance(v, Markup):
        return f"[{v}]"
    if isinstance(v, Raw):
        return str(v)
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return tstr(v)
    if isinstance(v, dict):
        if not v:
            return "(:)"
        return "(" + ", ".join(f"{tstr(k)}: {tvalue(x)}" for k, x in v.items()) + ")"
    if isinstance(v, (list, tuple)):
        return "(" + "".join(tvalue(x) + ", " for x in v) + ")"
    raise TypeError(type(v))


def call(name: str, *args, **kw) -> str:
    parts = [tvalue(a) for a in args] + [f"{k.replace('_', '-')}: {tvalue(v)}" for k, v in kw.items()]
    return f"#{name}({', '.join(parts)})"


class TypstWriter(BlockVisitor, InlineVisitor):
    def __init__(self, edition: Edition, brand: Brand, notes: str):
        self.e = edition
        self.brand = brand
        self.notes = notes  # endnotes | footnotes
        self.seen_notes: set[str] = set()
        self.contents: list[tuple] = []  # (level, label, number, title) of each heading the contents list
        self.out: list[str] = []
        self.inside = 0  # how deep in other blocks the block being written is (0: the text column)
        self.before_template = False

    # ---- inline ----
    def inl(self, rich: Rich | None) -> Markup | None:
        if rich is None:
            return None
        return Markup(self.nodes(rich.nodes))

    def heading(self, rich: Rich) -> Markup:
        """A heading's markup; in CJK editions its last two characters are set in one box, so that a
        line never holds a single orphaned character. The box adds nothing to the text (no joiner
        character in copied text or bookmarks)."""
        nodes = list(rich.nodes)
        if self.e.locale.is_cjk and nodes and isinstance(nodes[-1], Text):
            t = nodes[-1].text.rstrip()
            if len(t) >= 2 and all("\u3400" <= ch <= "\u9fff" for ch in t[-2:]):
                head = self.nodes(nodes[:-1]) + (self.nodes([Text(t[:-2])]) if t[:-2] else "")
                return Markup(head + f"#box({tstr(t[-2:])})")
        return Markup(self.nodes(nodes))

    def nodes(self, nodes) -> str:
        out = []
        for before, n in present.inline_runs(nodes):
            if before == present.NOTE_SEPARATOR:
                out.append(f"#rk-notesep({tstr(before)})")
            elif before:
                out.append("#" + tstr(before))
            out.append(self.inline(n))
        return "".join(out)

    def inline_text(self, n) -> str:
        # a word of more than LONG characters would overflow the measure: it gets break points
        if not any(len(w) > LONG for w in n.text.split()):
            return "#" + tstr(n.text)
        parts = re.split(r"(\S{%d,})" % (LONG + 1), n.text)
        return "".join(f"#rk-long({tstr(p)})" if i % 2 else ("#" + tstr(p) if p else "") for i, p in enumerate(parts))

    def inline_emph(self, n) -> str:
        return f"#emph[{self.nodes(n.children)}]"

    def inline_strong(self, n) -> str:
        return f"#strong[{self.nodes(n.children)}]"

    def inline_link(self, n) -> str:
        if n.auto:
            return f"#rk-url({tstr(n.url)}, {tvalue(present.url_pieces(n.url))})"
        return f"#link({tstr(n.url)})[{self.nodes(n.children)}]"

    def inline_span(self, n) -> str:
        if self.before_template:  # the meta dictionary comes before the template's functions exist
            return f"#text(lang: {tstr(n.lang.split('-')[0])})[{self.nodes(n.children)}]"
        return f"#rk-span({tstr(n.lang)})[{self.nodes(n.children)}]"

    def inline_cite(self, n) -> str:
        present.unexpanded_cite(n)

    def inline_xref(self, n) -> str:
        anchor = present.xref_anchor(self.e, n.id, self.notes)
        return f"#rk-xref(label({tstr(anchor)}), {tstr(present.label(self.e, n.id))})"

    def inline_noteref(self, n) -> str:
        ident = n.id
        num = str(self.e.note_number(ident))
        first = ident not in self.seen_notes
        self.seen_notes.add(ident)
        if self.notes == "footnotes":
            fn = present.note_anchor(num, "footnotes")
            if first:
                note = self.e.report.notes[ident]
                return f"#footnote(numbering: rk-footnote-num({tstr(num)}))[{self.nodes(note.text.nodes)}]<{fn}>"
            return f"#footnote(numbering: rk-footnote-num({tstr(num)}), <{fn}>)"
        marker = f"#rk-noteref({tstr(num)}, <{present.note_anchor(num)}>)"
        return marker + (f"<{present.noteref_anchor(num)}>" if first else "")

    # ---- blocks ----
    def emit(self, s: str) -> None:
        self.out.append(s)

    def blocks(self, blocks) -> str:
        """Blocks inside another block (a quote, a box, a list item, a cell, the front matter)."""
        saved, self.out = self.out, []
        self.inside += 1
        try:
            for b in blocks:
                self.block(b)
        finally:
            self.inside -= 1
        text, self.out = "\n".join(self.out), saved
        return text

    def anchor(self, b) -> str:
        ident = present.block_anchor(b)
        return f" #label({tstr(ident)})" if ident else ""

    def block_para(self, b) -> None:
        self.emit(f"#par[{self.inl(b.text)}]" + self.anchor(b) + "\n")

    def block_section(self, b) -> None:
        number, title = self.e.number(b.id) or None, self.heading(b.title)
        self.emit(call("rk-section", b.id, b.level, number, title))
        if b.level <= CONTENTS_DEPTH:
            self.contents.append((b.level, b.id, number, title))
        for child in b.blocks:
            self.block(child)

    def block_quote(self, b) -> None:
        attribution = Markup("#" + tstr(present.attribution_prefix(self.e)) + self.inl(b.attribution)) if b.attribution else None
        self.emit(f"#rk-quote({tstr(b.kind)}, [{self.blocks(b.blocks)}], attribution: {tvalue(attribution)}, "
                  f"original: {tvalue(self.inl(b.original))})")

    def block_sidebar(self, b) -> None:
        self.emit(f"#rk-sidebar({tstr(present.label(self.e, b.id))}, {tvalue(self.inl(b.title))}, [{self.blocks(b.blocks)}]) #label({tstr(b.id)})")

    def block_list(self, b) -> None:
        items = []
        for item in b.items:
            anchor = f"#metadata(none) #label({tstr(item.id)})" if item.id else ""
            items.append(Markup(anchor + (self.inl(item.text) or "") + (("\n" + self.blocks(item.blocks)) if item.blocks else "")))
        self.emit(call("rk-list", b.ordered, items, [str(i) if b.ordered else "0" for i, _ in enumerate(b.items, 1)]))

    def block_terms(self, b) -> None:
        self.emit(call("rk-terms", [(self.inl(t.term), self.inl(t.text)) for t in b.items]))

    def block_table(self, b) -> None:
        e = self.e
        rows = []
        for row in b.rows:
            if isinstance(row, GroupRow):
                rows.append({"kind": "group", "body": self.inl(row.text)})
            else:
                rows.append({"kind": "row", "cells": [
                    {"body": Markup(self.blocks(cell.blocks)), "tag": self.inl(cell.tag), "colspan": cell.colspan}
                    for cell in row.cells]})
        self.emit(call("rk-table", present.label(e, b.id), self.inl(b.caption), present.source_prefix(e), self.inl(b.source),
                       [c.width for c in b.columns], [Raw(c.align) for c in b.columns], [self.inl(c.title) for c in b.columns], rows,
                       present.table_units(b.rows), inside=self.inside > 0)
                  + f" #label({tstr(b.id)})")

    def block_findings(self, b) -> None:
        title = self.inl(b.title) if b.title else self.e._("Key findings")
        self.emit(call("rk-findings", title, [self.inl(i) for i in b.items]) + self.anchor(b))

    def block_recommendations(self, b) -> None:
        items = [{"label": present.recommendation_label(self.e, item, i), "lead": self.heading(item.lead),
                  "body": Markup(self.blocks(item.blocks)), "anchor": item.id or None} for i, item in enumerate(b.items, 1)]
        self.emit(call("rk-recommendations", self.inl(b.title), items) + self.anchor(b))

    def block_figure(self, b) -> None:
        e = self.e
        image = "/" + b.image.relative_to(self.e.report.folder.resolve()).as_posix() if b.image else None
        self.emit(call("rk-figure", present.label(e, b.id), self.inl(b.caption), present.source_prefix(e), self.inl(b.source), b.alt.plain(),
                       image_path=image, placeholder=self.inl(b.placeholder), placeholder_word=e._("Artwork not available"))
                  + f" #label({tstr(b.id)})")

    # ---- document ----
    def document(self, template: str, logo: str | None) -> str:
        from .suggested_citation import suggested_citation

        e, r, m = self.e, self.e.report, self.e.report.meta
        brand = self.brand
        brand_dict = {
            "colors": brand.colors, "fonts": brand.fonts, "type": brand.type,
            "page": {"paper": brand.paper, "margin": brand.margin},
            "running-header": brand.running_header, "cover": brand.cover,
        }
        authors = present.author_names(e)
        self.before_template = True
        meta = {
            "title": self.inl(m.title), "title-plain": m.title.plain(), "subtitle": self.inl(m.subtitle),
            "authors": authors or [m.organization.plain()], "author-line": present.author_list(e, authors),
            "organization": self.inl(m.organization), "org-short": m.organization_short or m.organization.plain(),
            "date-text": present.date_text(e), "keywords": [m.organization_short] if m.organization_short else [],
            "colon": present.term_separator(e), "caption-sep": present.caption_separator(e),
            "lang": e.locale.typst_lang, "region": e.locale.typst_region or None, "cjk": e.locale.is_cjk,
            "series": self.inl(m.series),
            "report-number": e._("Report No. %(number)s", number=m.report_number) if m.report_number else None,
            "continued": e._("continued"), "display-glue": present.DISPLAY_GLUE,
            "imprint": (imprint := brand.imprint_lines()) | {
                "website-pieces": present.url_pieces(imprint["website-url"]) if imprint["website-url"] else None},
        }
        self.before_template = False
        art = brand.cover_art.read_text(encoding="utf-8") if brand.cover_art else None
        citation = Markup("".join(f"#emph({tstr(t)})" if kind == "title" and not e.locale.is_cjk else "#" + tstr(t)
                                  for kind, t in suggested_citation(e)))
        head = [
            "// Generated by reportkit from the report's content; edit the content or the brand, not this file.",
            f"#let brand = {tvalue(brand_dict)}",
            f"#let meta = {tvalue(meta)}",
            f"#let meta = meta + (date: datetime(year: {m.date.year}, month: {m.date.month}, day: {m.date.day}))",
            template,
            "#show: rk-document",
            # roman numbers from the cover on (the cover and inside cover print none), arabic from the first chapter
            "#set page(numbering: \"i\", header: running-header, footer: page-footer)",
            f"#rk-cover(logo: {tvalue(logo)}, art: {tvalue(art)})",
            call("rk-inside-cover", e._("Suggested citation"), citation,
                 disclaimer=Markup("#strong(" + tstr(e._("Disclaimer") + present.term_separator(e)) + ")" + self.inl(m.disclaimer)) if m.disclaimer else None,
                 copyright=self.inl(m.copyright)),
            "#rk-front-page[",
        ]
        assert "\n".join(head[:4]).count("\n") + 2 == TEMPLATE_LINE  # what locate() relies on
        self.out = head
        for g in m.about:
            self.emit(f"#rk-about({tvalue(self.inl(g.title))}, [{self.blocks(g.blocks)}]) #label({tstr(g.id)})")
        self.emit("]")  # the disclaimer and the copyright line are printed on the inside cover
        if m.authors:
            self.emit("#rk-front-page[" + self.front_heading(e._("Authors"), "authors"))
            for a in m.authors:
                self.emit(call("rk-author", a.name.plain(), self.inl(a.role), Markup("\n\n".join(f"#par[{self.inl(b)}]" for b in a.bio))))
            self.emit("]")
        if m.acknowledgments:
            self.emit("#rk-front-page[" + self.front_heading(e._("Acknowledgments"), "acknowledgments") + "\n"
                      + self.blocks(m.acknowledgments) + "]")
        contents_at = len(self.out)  # filled in below, once every heading is known
        self.emit("")
        self.emit("#rk-main-matter()\n#set page(numbering: \"1\")\n#counter(page).update(1)")
        for ch in r.chapters:
            number = e.number(ch.id)
            eyebrow = present.label(e, ch.id) if number else None
            title = self.heading(ch.title)
            self.emit(call("rk-chapter", ch.id, number or None, eyebrow, title))
            self.contents.append((1, ch.id, number or None, title))
            for b in ch.blocks:
                self.block(b)
        if self.notes == "endnotes" and e.resolved.notes_order:
            title = present.notes_title(e)
            title = self.inl(title) if isinstance(title, Rich) else title
            self.emit(call("rk-notes-heading", title) + " #label(\"notes\")")
            self.contents.append((1, "notes", None, title))
            for note in e.notes():
                n = str(e.note_number(note.id))
                self.emit(f"#rk-endnote({tstr(n)}, <{present.noteref_anchor(n)}>, [{self.inl(note.text)}]) <{present.note_anchor(n)}>")
        if r.bibliography is not None:
            title = self.inl(r.bibliography.title)
            self.emit(call("rk-bibliography-heading", title) + f" #label({tstr(present.BIBLIOGRAPHY_ANCHOR)})")
            self.contents.append((1, present.BIBLIOGRAPHY_ANCHOR, None, title))
            for entry in r.bibliography.entries:
                self.emit(f"#rk-bibliography-entry[{self.inl(entry)}]")
        self.emit(f"#rk-back-cover(logo: {tvalue(logo)})")
        self.out[contents_at] = call("rk-contents", e._("Contents"), [(level, Raw(f"label({tstr(target)})"), number, title)
                                                                      for level, target, number, title in self.contents])
        return "\n".join(self.out) + "\n"

    def front_heading(self, title: str, key: str) -> str:
        # "_" cannot start a content id, so this label never meets one
        self.contents.append((1, f"_front-{key}", None, title))
        return call("rk-front-heading", title) + f" #label({tstr('_front-' + key)})"


CONTENTS_DEPTH = 3  # the contents list headings down to this level
TEMPLATE_LINE = 5  # the template starts on this line of the generated source (after the four head lines)


def locate(diagnostic, brand: Brand):
    """A Typst diagnostic at a line of the generated source, moved to the template file and line it
    comes from when it falls in the template (a brand's own or base's); otherwise left as it is."""
    import dataclasses

    from .errors import Loc

    loc = diagnostic.loc
    if loc.file != "typst" or not loc.line:
        return diagnostic
    path = brand.template("report.typ")
    lines = path.read_text(encoding="utf-8").count("\n") + 1
    if TEMPLATE_LINE <= loc.line < TEMPLATE_LINE + lines:
        return dataclasses.replace(diagnostic, loc=Loc(str(path), loc.line - TEMPLATE_LINE + 1, loc.col))
    return dataclasses.replace(diagnostic, loc=Loc("generated Typst source (see --keep-sources)", loc.line, loc.col))


def render_typst(edition: Edition, brand: Brand, notes: str) -> str:
    """Edition -> complete Typst source (template included), ready for the typst engine."""
    template = brand.template("report.typ").read_text(encoding="utf-8")
    logo = brand.logo.read_text(encoding="utf-8") if brand.logo else None
    typeset = present.typeset(edition, present.bibliography_on(edition.report, brand))
    return TypstWriter(typeset, brand, notes).document(template, logo)
