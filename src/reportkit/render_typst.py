"""Write an Edition as Typst source: brand + meta dictionaries, the brand's template, then calls to its
rk-* functions. Every text is emitted as a Typst string literal, so content can never become code."""
from __future__ import annotations

from .brand import Brand
from .localize import Edition
from .model import (Emph, Figure, GroupRow, Link, ListBlock, NoteRef, Para, Quote, Rich, Section, Sidebar,
                    Span, Strong, Table, Terms, Text, XRef)


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


class TypstWriter:
    def __init__(self, edition: Edition, brand: Brand, notes: str):
        self.e = edition
        self.brand = brand
        self.notes = notes  # endnotes | footnotes
        self.seen_notes: set[str] = set()
        self.out: list[str] = []

    # ---- inline ----
    def inl(self, rich: Rich | None) -> Markup | None:
        if rich is None:
            return None
        return Markup("".join(self.node(n) for n in rich.nodes))

    def heading(self, rich: Rich) -> Markup:
        """A heading's markup; in CJK editions its last two characters are joined (U+2060) so that a
        line never holds a single orphaned character."""
        nodes = list(rich.nodes)
        if self.e.locale.is_cjk and nodes and isinstance(nodes[-1], Text):
            t = nodes[-1].text.rstrip()
            if len(t) >= 2 and all("\u3400" <= ch <= "\u9fff" for ch in t[-2:]):
                nodes[-1] = Text(t[:-1] + "\u2060" + t[-1])
        return Markup("".join(self.node(n) for n in nodes))

    def nodes(self, nodes) -> str:
        return "".join(self.node(n) for n in nodes)

    def node(self, n) -> str:
        if isinstance(n, Text):
            return "#" + tstr(n.text)
        if isinstance(n, Emph):
            return f"#emph[{self.nodes(n.children)}]"
        if isinstance(n, Strong):
            return f"#strong[{self.nodes(n.children)}]"
        if isinstance(n, Link):
            if n.auto:
                return f"#rk-url({tstr(n.url)})"
            return f"#link({tstr(n.url)})[{self.nodes(n.children)}]"
        if isinstance(n, Span):
            return f"#rk-span({tstr(n.lang)})[{self.nodes(n.children)}]"
        if isinstance(n, XRef):
            target = self.e.resolved.targets[n.id]
            anchor = n.id
            if target.kind == "note":  # notes carry their number's label, as endnote or footnote
                anchor = f"{'fn' if self.notes == 'footnotes' else 'note'}-{target.number}"
            return f"#rk-xref(label({tstr(anchor)}), {tstr(self.e.label_of(n.id))})"
        if isinstance(n, NoteRef):
            return self.noteref(n.id)
        raise TypeError(type(n))

    def noteref(self, ident: str) -> str:
        note = self.e.report.notes[ident]
        num = str(note.number)
        first = ident not in self.seen_notes
        self.seen_notes.add(ident)
        if self.notes == "footnotes":
            if first:
                return f"#footnote(numbering: rk-footnote-num({tstr(num)}))[{self.nodes(note.text.nodes)}]<fn-{num}>"
            return f"#footnote(numbering: rk-footnote-num({tstr(num)}), <fn-{num}>)"
        marker = f"#rk-noteref({tstr(num)}, <note-{num}>)"
        return marker + (f"<noteref-{num}>" if first else "")

    # ---- blocks ----
    def emit(self, s: str) -> None:
        self.out.append(s)

    def blocks(self, blocks) -> str:
        saved, self.out = self.out, []
        for b in blocks:
            self.block(b)
        text, self.out = "\n".join(self.out), saved
        return text

    def block(self, b) -> None:
        e = self.e
        if isinstance(b, Para):
            self.emit(f"#par[{self.inl(b.text)}]" + (f" #label({tstr(b.id)})" if b.id and not b.id.startswith("p-") else "") + "\n")
        elif isinstance(b, Section):
            self.emit(call("rk-section", b.id, b.level, b.number or None, self.heading(b.title)))
            for child in b.blocks:
                self.block(child)
        elif isinstance(b, Quote):
            self.emit(f"#rk-quote({tstr(b.kind)}, [{self.blocks(b.blocks)}], attribution: {tvalue(self.inl(b.attribution))}, "
                      f"original: {tvalue(self.inl(b.original))})")
        elif isinstance(b, Sidebar):
            self.emit(f"#rk-sidebar({tstr(e.label_of(b.id))}, {tvalue(self.inl(b.title))}, [{self.blocks(b.blocks)}]) #label({tstr(b.id)})")
        elif isinstance(b, ListBlock):
            items = []
            for item in b.items:
                anchor = f"#metadata(none) #label({tstr(item.id)})" if item.id else ""
                items.append(Markup(anchor + (self.inl(item.text) or "") + (("\n" + self.blocks(item.blocks)) if item.blocks else "")))
            self.emit(call("rk-list", b.ordered, items, [i.number or "0" for i in b.items]))
        elif isinstance(b, Terms):
            self.emit(call("rk-terms", [(self.inl(t.term), self.inl(t.text)) for t in b.items]))
        elif isinstance(b, Table):
            rows = []
            for row in b.rows:
                if isinstance(row, GroupRow):
                    rows.append({"kind": "group", "body": self.inl(row.text)})
                else:
                    rows.append({"kind": "row", "cells": [
                        {"body": Markup(self.blocks(cell.blocks)), "tag": self.inl(cell.tag), "colspan": cell.colspan}
                        for cell in row.cells]})
            self.emit(call("rk-table", e.label_of(b.id), self.inl(b.caption), e._("Source"), self.inl(b.source),
                           [c.width for c in b.columns], [Raw(c.align) for c in b.columns], [self.inl(c.title) for c in b.columns], rows)
                      + f" #label({tstr(b.id)})")
        elif isinstance(b, Figure):
            image = "/" + b.image.relative_to(self.e.report.folder.resolve()).as_posix() if b.image else None
            self.emit(call("rk-figure", e.label_of(b.id), self.inl(b.caption), e._("Source"), self.inl(b.source), b.alt.plain(),
                           image_path=image, placeholder=self.inl(b.placeholder), placeholder_word=e._("Artwork not available"))
                      + f" #label({tstr(b.id)})")
        else:
            raise TypeError(type(b))

    # ---- document ----
    def document(self, template: str, logo: str | None) -> str:
        e, r, m = self.e, self.e.report, self.e.report.meta
        brand = self.brand
        brand_dict = {
            "colors": brand.colors, "fonts": brand.fonts, "type": brand.type,
            "page": {"paper": brand.paper, "margin": brand.margin},
            "running-header": brand.running_header, "cover": brand.cover,
        }
        authors = [a.name for a in m.authors]
        meta = {
            "title": self.inl(m.title), "title-plain": m.title.plain(), "subtitle": self.inl(m.subtitle),
            "authors": authors or [m.organization.plain()], "author-line": _author_line(authors, e),
            "organization": self.inl(m.organization), "org-short": m.organization_short or m.organization.plain(),
            "date-text": e.date_text(), "keywords": [m.organization_short] if m.organization_short else [],
            "colon": e.colon, "caption-sep": e.caption_sep, "lang": e.locale.typst_lang, "region": e.locale.typst_region or None, "cjk": e.locale.is_cjk,
        }
        head = [
            "// Generated by reportkit from the report's content; edit the content or the brand, not this file.",
            f"#let brand = {tvalue(brand_dict)}",
            f"#let meta = {tvalue(meta)}",
            f"#let meta = meta + (date: datetime(year: {m.date.year}, month: {m.date.month}, day: {m.date.day}))",
            template,
            "#show: rk-document",
            f"#rk-cover(logo: {tvalue(logo)})",
            "#set page(numbering: \"i\", header: running-header, footer: page-footer)",
            "#rk-front-page[",
        ]
        self.out = head
        for g in m.about:
            self.emit(f"#rk-about({tvalue(self.inl(g.title))}, [{self.blocks(g.blocks)}]) #label({tstr(g.id)})")
        if m.disclaimer:
            self.emit(call("rk-disclaimer", e._("Disclaimer"), self.inl(m.disclaimer)))
        if m.copyright:
            self.emit(call("rk-copyright", self.inl(m.copyright)))
        self.emit("]")
        if m.authors:
            self.emit("#rk-front-page[" + call("rk-front-heading", e._("Authors")))
            for a in m.authors:
                self.emit(call("rk-author", a.name, self.inl(a.role), Markup("\n\n".join(f"#par[{self.inl(b)}]" for b in a.bio))))
            self.emit("]")
        if m.acknowledgments:
            self.emit("#rk-front-page[" + call("rk-front-heading", e._("Acknowledgments")) + "\n" + self.blocks(m.acknowledgments) + "]")
        self.emit(call("rk-contents", e._("Contents")))
        self.emit("#set page(numbering: \"1\")\n#rk-main-matter()")
        for ch in r.chapters:
            eyebrow = e.label_of(ch.id) if ch.number else None
            self.emit(call("rk-chapter", ch.id, ch.number or None, eyebrow, self.heading(ch.title)))
            for b in ch.blocks:
                self.block(b)
        if self.notes == "endnotes" and e.resolved.notes_order:
            title = self.inl(m.notes_title) if m.notes_title else e._("Notes")
            self.emit(call("rk-notes-heading", title) + " #label(\"notes\")")
            for note in e.resolved.notes_order:
                n = str(note.number)
                self.emit(f"#rk-endnote({tstr(n)}, <noteref-{n}>, [{self.inl(note.text)}]) <note-{n}>")
        self.emit(f"#rk-back-cover(logo: {tvalue(logo)})")
        return "\n".join(self.out) + "\n"


def _author_line(authors: list[str], e: Edition) -> str:
    if len(authors) <= 1:
        return "".join(authors)
    if e.locale.is_cjk:
        return "、".join(authors)
    return ", ".join(authors[:-1]) + (", and " if len(authors) > 2 else " and ") + authors[-1]


def render_typst(edition: Edition, brand: Brand, notes: str) -> str:
    """Edition -> complete Typst source (template included), ready for the typst engine."""
    template = brand.template("report.typ").read_text(encoding="utf-8")
    logo = brand.logo.read_text(encoding="utf-8") if brand.logo else None
    return TypstWriter(edition, brand, notes).document(template, logo)
