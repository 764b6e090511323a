"""List every translatable text of a resolved report, in reading order, with where it stands.

A unit is one paragraph-sized Rich (a paragraph, a heading, a cell, a caption...), never a chapter.
Besides where it stands, a unit carries what a translator needs and cannot see in the catalog: the
anchor of its section, table, figure or box in the built HTML ("#sec-models", so it can be opened
in the edition) and, inside a quotation or epigraph that gives one, the original-language wording.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import GroupRow, Para, Rich
from ..resolve import Resolved
from ..walk import BlockVisitor, iter_rich


@dataclass
class Unit:
    rich: Rich
    context: str  # for the translator: "Table 2, row 'Healthcare', column 'Applications'"
    file: str  # the content file the text is written in (its catalog is named after it)
    anchor: str = ""  # id of the enclosing section/table/figure/box in the HTML edition ("sec-models")
    original: str = ""  # "zh-Hant: 四兩撥千斤" when the unit is (part of) a quote that gives its original

    def comments(self) -> list[str]:
        """The extracted comments (#.) of its catalog entry: context, then anchor and original wording."""
        out = [self.context]
        if self.anchor:
            out.append(f"HTML anchor: #{self.anchor}")
        if self.original:
            out.append(f"Original wording ({self.original})")
        return out


def _short(rich: Rich | None, n: int = 40) -> str:
    text = rich.plain() if rich else ""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class Walker(BlockVisitor):
    def __init__(self, resolved: Resolved, include_notes: bool):
        self.r = resolved
        self.out: list[Unit] = []
        self.include_notes = include_notes
        self.anchor = ""  # the innermost enclosing block with an HTML id
        self.original = ""

    def add(self, rich: Rich | None, context: str) -> None:
        if rich is not None and rich.source.strip():
            self.out.append(Unit(rich, context, rich.loc.file, self.anchor, self.original))

    def inside(self, ident: str, visit) -> None:
        """Visit with `ident` as the anchor of every unit found (restored afterwards)."""
        saved = self.anchor
        self.anchor = ident or saved
        try:
            visit()
        finally:
            self.anchor = saved

    def where(self, section) -> str:
        if section is None:
            return ""
        number = self.r.number(section.id)
        if number:
            kind = "Chapter" if section.level == 1 else "Section"
            return f"{kind} {number}"
        return f"'{_short(section.title)}'"

    def blocks(self, blocks, section, prefix: str = "") -> None:
        self.para = 0
        for b in blocks:
            self.block(b, section, prefix)

    def block_para(self, b, section, prefix) -> None:
        self.para += 1
        self.add(b.text, f"{prefix or self.where(section)}, paragraph {self.para}".lstrip(", "))

    def block_section(self, b, section, prefix) -> None:
        number = self.r.number(b.id)
        label = "Chapter" if b.level == 1 else ("Section" if number else "Heading")

        def visit():
            self.add(b.title, f"{label} {number} title" if number else f"{label} title (in {self.where(section)})")
            para = self.para
            self.blocks(b.blocks, b)
            self.para = para
        self.inside(b.id, visit)

    def block_quote(self, b, section, prefix) -> None:
        here, para = self.where(section), self.para
        saved = self.original
        if b.original is not None and b.original.source.strip():
            self.original = f"{b.original_lang}: {b.original.source}" if b.original_lang else b.original.source
        self.blocks(b.blocks, section, f"{b.kind} in {here}")
        self.para = para
        self.add(b.attribution, f"{b.kind} attribution in {here}")
        self.original = saved
        self.add(b.original, f"{b.kind} original-language text in {here}")

    def block_sidebar(self, b, section, prefix) -> None:
        number, para = self.r.number(b.id), self.para

        def visit():
            self.add(b.title, f"Box {number} title")
            self.blocks(b.blocks, section, f"Box {number}")
        self.inside(b.id, visit)
        self.para = para

    def block_list(self, b, section, prefix) -> None:
        here, para = prefix or self.where(section), self.para
        for i, item in enumerate(b.items, 1):
            self.add(item.text, f"{here}, list item {i}")
            self.blocks(item.blocks, section, f"{here}, list item {i}")
        self.para = para

    def block_terms(self, b, section, prefix) -> None:
        here = prefix or self.where(section)
        for t in b.items:
            self.add(t.term, f"{here}, term")
            self.add(t.text, f"{here}, text of term '{_short(t.term)}'")

    def block_table(self, b, section, prefix) -> None:
        self.inside(b.id, lambda: self._table(b, section, prefix))

    def _table(self, b, section, prefix) -> None:
        name, para = f"Table {self.r.number(b.id)}", self.para
        self.add(b.caption, f"{name} caption")
        for col in b.columns:
            self.add(col.title, f"{name}, header of column '{_short(col.title)}'")
        for row in b.rows:
            if isinstance(row, GroupRow):
                self.add(row.text, f"{name}, group row")
                continue
            first = row.cells[0].blocks[0].text if row.cells and row.cells[0].blocks and isinstance(row.cells[0].blocks[0], Para) else None
            col_i = 0
            for cell in row.cells:
                col = b.columns[min(col_i, len(b.columns) - 1)]
                col_i += cell.colspan
                where = f"{name}, row '{_short(first)}', column '{_short(col.title)}'"
                self.add(cell.tag, where + ", rating")
                self.blocks(cell.blocks, section, where)
        self.para = para
        self.add(b.source, f"{name} source line")

    def block_findings(self, b, section, prefix) -> None:
        here = prefix or self.where(section)
        self.add(b.title, f"Key findings title in {here}")
        for i, item in enumerate(b.items, 1):
            self.add(item, f"Key finding {i} in {here}")

    def block_recommendations(self, b, section, prefix) -> None:
        here, para = prefix or self.where(section), self.para
        self.add(b.title, f"Recommendations title in {here}")
        for i, item in enumerate(b.items, 1):
            self.add(item.lead, f"Recommendation {i} lead-in (bold) in {here}")
            self.blocks(item.blocks, section, f"Recommendation {i}")
        self.para = para

    def block_figure(self, b, section, prefix) -> None:
        self.inside(b.id, lambda: self._figure(b, section, prefix))

    def _figure(self, b, section, prefix) -> None:
        name = f"Figure {self.r.number(b.id)}"
        self.add(b.caption, f"{name} caption")
        self.add(b.alt, f"{name} alt text (read aloud to readers who cannot see it)")
        self.add(b.placeholder, f"{name} placeholder text (printed where the artwork is missing)")
        self.add(b.source, f"{name} source line")

    def run(self) -> list[Unit]:
        m = self.r.report.meta
        self.add(m.title, "Report title (cover, metadata)")
        self.add(m.subtitle, "Report subtitle")
        self.add(m.organization, "Publishing organization")
        for g in m.about:
            self.add(g.title, "Inside cover: heading")
            self.blocks(g.blocks, None, f"Inside cover '{_short(g.title)}'")
        self.add(m.disclaimer, "Disclaimer")
        self.add(m.copyright, "Copyright line")
        for a in m.authors:
            self.add(a.name, "Author's name (keep the romanized form unless a cited source gives the author's own name in your language)")
            self.add(a.role, f"Author '{a.name.plain()}', role")
            for i, bio in enumerate(a.bio, 1):
                self.add(bio, f"Author '{a.name.plain()}', biography paragraph {i}")
        self.blocks(m.acknowledgments, None, "Acknowledgments")
        self.add(m.notes_title, "Heading of the notes list")
        for ch in self.r.report.chapters:
            self.blocks([ch], None)
        # any text the walk above does not place still goes to its catalog, never silently lost
        placed = {id(u.rich) for u in self.out}
        for rich, owner in iter_rich((m, self.r.report.chapters)):
            if id(rich) not in placed:
                self.add(rich, f"text of a {type(owner).__name__.lower()}")
        for ident in self.r.notes_order:
            note = self.r.report.notes[ident]
            if note.translate or self.include_notes:
                self.add(note.text, f"Note {self.r.note_number(ident)} (citation)")
        return self.out


def units(resolved: Resolved, include_notes: bool = False) -> list[Unit]:
    """Every translatable unit in reading order. Notes only when marked translate (or include_notes)."""
    return Walker(resolved, include_notes).run()


def catalog_name(file: str, folder: Path) -> str:
    """The catalog a unit goes to: named after the content file it is written in ('ch2-3-compute')."""
    return Path(file).stem
