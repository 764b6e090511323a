"""Number the report and check its references: model.Report -> Resolved (targets, notes, warnings).

This is the single owner of numbering: chapters, sections, tables, figures, sidebars, ordered list
items and notes get their numbers here; the engines only add page numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Collector, did_you_mean
from .model import (Figure, GroupRow, ListBlock, NoteRef, Para, Quote, Report, Rich, Section, Sidebar, Table, Terms, XRef, walk_inlines)


@dataclass
class Target:
    """Something a cross-reference can point at. `kind` picks the label word; `number` its number."""

    kind: str  # chapter | section | table | figure | sidebar | item | note | part
    number: str
    title: Rich | None
    loc: object


@dataclass
class Resolved:
    report: Report
    targets: dict = field(default_factory=dict)  # id -> Target
    notes_order: list = field(default_factory=list)  # Note objects in number order
    warnings: list = field(default_factory=list)
    placeholders: list = field(default_factory=list)  # figures drawn as placeholders


class Resolver:
    def __init__(self, report: Report):
        self.report = report
        self.c = Collector()
        self.targets: dict[str, Target] = {}
        self.refs: list[tuple[XRef, Rich]] = []
        self.note_order: list = []
        self.counts = {"table": 0, "figure": 0, "sidebar": 0}
        self.auto = 0
        self.referenced: set[str] = set()
        self.placeholders: list[Figure] = []

    def define(self, ident: str, target: Target) -> None:
        if not ident:
            return
        if ident in self.targets:
            self.c.error(target.loc, f'duplicate id "{ident}" (first used at {self.targets[ident].loc}); ids must be unique')
            return
        self.targets[ident] = target

    def anchor(self, block, prefix: str) -> None:
        if not block.id:
            self.auto += 1
            block.id = f"{prefix}-{self.auto}"

    def rich(self, rich: Rich | None) -> None:
        if rich is None:
            return
        for node in walk_inlines(rich.nodes):
            if isinstance(node, NoteRef):
                note = self.report.notes.get(node.id)
                if note is None:
                    self.c.error(rich.loc, f'note "{node.id}" is referenced but not defined{did_you_mean(node.id, self.report.notes)}; '
                                           "define it under a file's notes:")
                elif not note.number:
                    self.note_order.append(note)
                    note.number = len(self.note_order)
            elif isinstance(node, XRef):
                self.refs.append((node, rich))

    def run(self) -> Resolved:
        meta = self.report.meta
        for r in (meta.title, meta.subtitle, meta.organization, meta.disclaimer, meta.copyright):
            self.rich(r)
        for a in meta.authors:
            self.rich(a.role)
            for b in a.bio:
                self.rich(b)
        for g in meta.about:
            self.define(g.id, Target("part", "", g.title, g.loc))
            self.blocks(g.blocks, None, None)
        self.blocks(meta.acknowledgments, None, None)
        chapter_no = 0
        for ch in self.report.chapters:
            if ch.numbered:
                chapter_no += 1
                ch.number = str(chapter_no)
            self.define(ch.id, Target("chapter" if ch.numbered else "part", ch.number, ch.title, ch.loc))
            self.rich(ch.title)
            self.blocks(ch.blocks, ch, [0, 0])
        # notes referenced only from other notes get numbers after the body's
        for note in list(self.note_order):
            self.rich(note.text)
        for note in self.report.notes.values():
            if not note.number:
                self.c.error(note.loc, f'note "{note.id}" is defined but never referenced; reference it with [^{note.id}] or delete it')
        for note in self.note_order:  # a note can be cross-referenced too ("see note 12")
            self.define(note.id, Target("note", str(note.number), None, note.loc))
        for node, rich in self.refs:
            if node.id not in self.targets:
                self.c.error(rich.loc, f'unknown reference "[@{node.id}]"{did_you_mean(node.id, self.targets)}')
            else:
                self.referenced.add(node.id)
        for ident, t in self.targets.items():
            if t.kind in ("table", "figure") and ident not in self.referenced:
                self.c.warning(t.loc, f'{t.kind} "{ident}" is never referenced in the text; add [@{ident}] where it is discussed')
        for f in self.placeholders:
            self.c.warning(f.loc, f'figure "{f.id}" has no artwork and is printed as a placeholder; add image: when the artwork exists')
        self.c.raise_if_errors()
        return Resolved(self.report, self.targets, self.note_order, self.c.warnings, self.placeholders)

    def blocks(self, blocks, chapter: Section | None, counters: list | None) -> None:
        for b in blocks:
            self.block(b, chapter, counters)

    def block(self, b, chapter, counters) -> None:
        if isinstance(b, Section):
            self.anchor(b, "sec")
            if b.numbered and chapter is not None and counters is not None:
                depth = b.level - 2
                counters[depth] += 1
                for i in range(depth + 1, len(counters)):
                    counters[i] = 0
                parts = [str(n) for n in counters[: depth + 1]]
                plain = self.report.section_numbers.get(chapter.id) == "plain" or not chapter.numbered
                b.number = ".".join(parts) if plain else ".".join([chapter.number] + parts)
            self.define(b.id, Target("section", b.number, b.title, b.loc))
            self.rich(b.title)
            self.blocks(b.blocks, chapter, counters)
        elif isinstance(b, Para):
            self.define(b.id, Target("paragraph", "", None, b.loc))
            self.rich(b.text)
        elif isinstance(b, Quote):
            self.blocks(b.blocks, chapter, counters)
            self.rich(b.attribution)
            self.rich(b.original)
        elif isinstance(b, Sidebar):
            self.counts["sidebar"] += 1
            b.number = str(self.counts["sidebar"])
            self.define(b.id, Target("sidebar", b.number, b.title, b.loc))
            self.rich(b.title)
            self.blocks(b.blocks, chapter, counters)
        elif isinstance(b, ListBlock):
            for i, item in enumerate(b.items, 1):
                if b.ordered:
                    item.number = str(i)
                if item.id:
                    if not b.ordered:
                        self.c.error(item.loc, f'list item id "{item.id}": only items of an ordered list can be referenced; add ordered: true')
                    self.define(item.id, Target("item", item.number, None, item.loc))
                self.rich(item.text)
                self.blocks(item.blocks, chapter, counters)
        elif isinstance(b, Terms):
            for t in b.items:
                self.rich(t.term)
                self.rich(t.text)
        elif isinstance(b, Table):
            self.counts["table"] += 1
            b.number = str(self.counts["table"])
            self.define(b.id, Target("table", b.number, b.caption, b.loc))
            self.rich(b.caption)
            for col in b.columns:
                self.rich(col.title)
            for row in b.rows:
                if isinstance(row, GroupRow):
                    self.rich(row.text)
                else:
                    for cell in row.cells:
                        self.rich(cell.tag)
                        self.blocks(cell.blocks, chapter, counters)
            self.rich(b.source)
        elif isinstance(b, Figure):
            self.counts["figure"] += 1
            b.number = str(self.counts["figure"])
            self.define(b.id, Target("figure", b.number, b.caption, b.loc))
            self.rich(b.caption)
            self.rich(b.source)
            if b.image is None:
                self.placeholders.append(b)


def resolve(report: Report) -> Resolved:
    """Number everything and check every reference; raises ReportError on errors."""
    return Resolver(report).run()
