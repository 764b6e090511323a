"""Number the report and check its references: model.Report -> Resolved (targets, notes, warnings).

This is the single owner of numbering: chapters, sections, tables, figures, sidebars, ordered list
items and notes get their numbers here, keyed by id; the tree is never written into, so resolving the
same report twice gives equal results. The engines only add page numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .errors import Collector, Loc, did_you_mean
from .model import Figure, Link, Note, NoteRef, Report, Rich, Section, XRef
from .walk import BlockVisitor, inlines, iter_rich

# what a cross-reference can print as a label; a paragraph has none
REFERABLE = ("chapter", "section", "table", "figure", "sidebar", "item", "note", "part", "recommendation")


@dataclass(frozen=True)
class Target:
    """Something an id names. `kind` picks the label word; `number` its number ("" if none)."""

    kind: str  # chapter | section | table | figure | sidebar | item | note | part | paragraph
    number: str
    loc: Loc


@dataclass(frozen=True)
class Resolved:
    report: Report
    targets: Mapping[str, Target]  # id -> Target
    notes_order: tuple  # note ids in number order
    warnings: tuple
    placeholders: tuple  # ids of figures drawn as placeholders

    def number(self, ident: str) -> str:
        t = self.targets.get(ident)
        return t.number if t else ""

    def note_number(self, ident: str) -> int:
        return int(self.targets[ident].number)


class Resolver(BlockVisitor):
    def __init__(self, report: Report):
        self.report = report
        self.c = Collector()
        self.targets: dict[str, Target] = {}
        self.refs: list[tuple[XRef, Rich]] = []
        self.note_order: list[Note] = []
        self.cited: set[str] = set()
        self.counts = {"table": 0, "figure": 0, "sidebar": 0}
        self.placeholders: list[str] = []
        self.seen: set[int] = set()

    def define(self, ident: str, kind: str, number: str, loc: Loc) -> None:
        if not ident:
            return
        if ident in self.targets:
            self.c.error(loc, f'duplicate id "{ident}" (first used at {self.targets[ident].loc}); ids must be unique')
            return
        self.targets[ident] = Target(kind, number, loc)

    def rich(self, rich: Rich | None) -> None:
        """Number the notes a text cites (in order of first use) and collect its cross-references."""
        if rich is None or id(rich) in self.seen:
            return
        self.seen.add(id(rich))
        for node in inlines(rich.nodes):
            if isinstance(node, NoteRef):
                note = self.report.notes.get(node.id)
                if note is None:
                    self.c.error(rich.loc, f'note "{node.id}" is referenced but not defined{did_you_mean(node.id, self.report.notes)}; '
                                           "define it under a file's notes:")
                elif note.id not in self.cited:
                    self.cited.add(note.id)
                    self.note_order.append(note)
            elif isinstance(node, XRef):
                self.refs.append((node, rich))

    def heading(self, rich: Rich) -> None:
        """Headings are repeated in the contents and the bookmarks, where a note or a link cannot stand."""
        for node in inlines(rich.nodes):
            what = {NoteRef: "a note", XRef: "a cross-reference", Link: "a link"}.get(type(node))
            if what:
                self.c.error(rich.loc, f"{what} cannot stand in a title or heading (they are repeated in the contents, "
                                       "bookmarks and metadata); move it into the first sentence of the text")
                return
        self.rich(rich)

    def run(self) -> Resolved:
        meta = self.report.meta
        for r in (meta.title, meta.subtitle, meta.organization):  # also the cover, metadata and running heads
            if r is not None:
                self.heading(r)
        for r in (meta.disclaimer, meta.copyright):
            self.rich(r)
        for a in meta.authors:
            self.heading(a.name)  # printed on the cover, in the metadata and the citation
            self.rich(a.role)
            for b in a.bio:
                self.rich(b)
        for g in meta.about:
            self.define(g.id, "part", "", g.loc)
            self.heading(g.title)
            self.blocks(g.blocks, None, None)
        self.blocks(meta.acknowledgments, None, None)
        chapter_no = 0
        for ch in self.report.chapters:
            number = ""
            if ch.numbered:
                chapter_no += 1
                number = str(chapter_no)
            self.define(ch.id, "chapter" if ch.numbered else "part", number, ch.loc)
            self.heading(ch.title)
            self.blocks(ch.blocks, ch, [0, 0])
        # whatever the walk above did not visit (any text anywhere) is still checked
        for rich, _owner in iter_rich((meta, self.report.chapters)):
            self.rich(rich)
        # notes cited only by other notes (at any depth) are numbered after the body's
        i = 0
        while i < len(self.note_order):
            self.rich(self.note_order[i].text)
            i += 1
        for note in self.report.notes.values():
            if note.id not in self.cited:
                self.c.error(note.loc, f'note "{note.id}" is defined but never referenced; reference it with [^{note.id}] or delete it')
        for number, note in enumerate(self.note_order, 1):  # a note can be cross-referenced too ("see note 12")
            self.define(note.id, "note", str(number), note.loc)
        referenced = set()
        for node, rich in self.refs:
            target = self.targets.get(node.id)
            if target is None:
                self.c.error(rich.loc, f'unknown reference "[@{node.id}]"{did_you_mean(node.id, self.targets)}')
            elif target.kind not in REFERABLE:
                self.c.error(rich.loc, f'"[@{node.id}]" points at a {target.kind}, which has no number or title to print; '
                                       "refer to its section, table, figure or box instead")
            else:
                referenced.add(node.id)
        for ident, t in self.targets.items():
            if t.kind in ("table", "figure") and ident not in referenced:
                self.c.warning(t.loc, f'{t.kind} "{ident}" is never referenced in the text; add [@{ident}] where it is discussed')
        self.citations()
        for ident in self.placeholders:
            self.c.warning(self.targets[ident].loc, f'figure "{ident}" has no artwork and is printed as a placeholder; '
                                                    "add image: when the artwork exists")
        self.c.raise_if_errors()
        return Resolved(self.report, MappingProxyType(self.targets), tuple(n.id for n in self.note_order),
                        tuple(self.c.warnings), tuple(self.placeholders))

    def citations(self) -> None:
        """Citations [cite: key] against the report's references (citations.check): unknown keys and bad
        locators at the citing note, unused and incomplete references at their own file:line."""
        from . import citations

        cites = [(cite, note.text, True) for note in self.report.notes.values() for cite in citations.cites_in(note.text.nodes)]
        cites += [(cite, rich, False) for rich, _owner in iter_rich((self.report.meta, self.report.chapters))
                  for cite in citations.cites_in(rich.nodes)]
        if cites or self.report.references is not None:
            citations.check(self.report.references, cites, self.c)

    def blocks(self, blocks, chapter: Section | None, counters: list | None) -> None:
        for b in blocks:
            self.block(b, chapter, counters)

    def block_section(self, b, chapter, counters) -> None:
        number = ""
        if b.numbered and chapter is not None and counters is not None:
            depth = b.level - 2
            counters[depth] += 1
            for i in range(depth + 1, len(counters)):
                counters[i] = 0
            parts = [str(n) for n in counters[: depth + 1]]
            plain = self.report.section_numbers.get(chapter.id) == "plain" or not chapter.numbered
            number = ".".join(parts) if plain else ".".join([self.targets[chapter.id].number] + parts)
        self.define(b.id, "section", number, b.loc)
        self.heading(b.title)
        self.blocks(b.blocks, chapter, counters)

    def block_para(self, b, chapter, counters) -> None:
        self.define(b.id, "paragraph", "", b.loc)
        self.rich(b.text)

    def block_quote(self, b, chapter, counters) -> None:
        self.define(b.id, "paragraph", "", b.loc)
        self.blocks(b.blocks, chapter, counters)
        self.rich(b.attribution)
        self.rich(b.original)

    def block_sidebar(self, b, chapter, counters) -> None:
        self.counts["sidebar"] += 1
        self.define(b.id, "sidebar", str(self.counts["sidebar"]), b.loc)
        self.rich(b.title)
        self.blocks(b.blocks, chapter, counters)

    def block_list(self, b, chapter, counters) -> None:
        self.define(b.id, "paragraph", "", b.loc)
        for i, item in enumerate(b.items, 1):
            if item.id:
                if not b.ordered:
                    self.c.error(item.loc, f'list item id "{item.id}": only items of an ordered list can be referenced; add ordered: true')
                self.define(item.id, "item", str(i) if b.ordered else "", item.loc)
            self.rich(item.text)
            self.blocks(item.blocks, chapter, counters)

    def block_terms(self, b, chapter, counters) -> None:
        self.define(b.id, "paragraph", "", b.loc)
        for t in b.items:
            self.rich(t.term)
            self.rich(t.text)

    def block_table(self, b, chapter, counters) -> None:
        self.counts["table"] += 1
        self.define(b.id, "table", str(self.counts["table"]), b.loc)
        self.rich(b.caption)
        for col in b.columns:
            self.rich(col.title)
        for row in b.rows:
            if hasattr(row, "cells"):
                for cell in row.cells:
                    self.rich(cell.tag)
                    self.blocks(cell.blocks, chapter, counters)
            else:
                self.rich(row.text)
        self.rich(b.source)

    def block_findings(self, b, chapter, counters) -> None:
        self.define(b.id, "paragraph", "", b.loc)
        self.rich(b.title)
        for item in b.items:
            self.rich(item)

    def block_recommendations(self, b, chapter, counters) -> None:
        self.define(b.id, "paragraph", "", b.loc)
        self.rich(b.title)
        for i, item in enumerate(b.items, 1):
            self.define(item.id, "recommendation", str(i), item.loc)
            self.heading(item.lead)
            self.blocks(item.blocks, chapter, counters)

    def block_figure(self, b: Figure, chapter, counters) -> None:
        self.counts["figure"] += 1
        self.define(b.id, "figure", str(self.counts["figure"]), b.loc)
        self.rich(b.caption)
        self.rich(b.source)
        for node in inlines(b.alt.nodes):  # alt text is read aloud as plain text
            if isinstance(node, (NoteRef, XRef)):
                self.c.error(b.alt.loc, "alt text is read aloud as plain text and cannot hold a note or a cross-reference; "
                                        "write the words out")
                break
        if b.image is None:
            self.placeholders.append(b.id)


def resolve(report: Report) -> Resolved:
    """Number everything and check every reference; raises ReportError on errors."""
    return Resolver(report).run()
