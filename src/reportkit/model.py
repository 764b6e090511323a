"""The document model: the typed tree that load produces and every later stage reads.

Resolve fills the `number`/`anchor` fields once; localize swaps each `Rich` for its translation;
renderers only read.
"""
from __future__ import annotations

import datetime
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

from .errors import Loc

# ---- inline nodes ----


@dataclass
class Text:
    """Literal text."""

    text: str


@dataclass
class Emph:
    children: list


@dataclass
class Strong:
    children: list


@dataclass
class Link:
    """A link to an external URL; `auto` when it shows its own URL."""

    url: str
    children: list
    auto: bool = False


@dataclass
class NoteRef:
    """A reference to note `id`; numbered by resolve."""

    id: str


@dataclass
class XRef:
    """A cross-reference to any referable block; written as its localized label."""

    id: str


@dataclass
class Span:
    """Text in another language (BCP 47 `lang`)."""

    lang: str
    children: list


Inline = Union[Text, Emph, Strong, Link, NoteRef, XRef, Span]


@dataclass
class Rich:
    """One translatable run of inline markup: its source markup, parsed nodes and location."""

    source: str
    nodes: list
    loc: Loc

    def plain(self) -> str:
        return plain_text(self.nodes)


def plain_text(nodes) -> str:
    out = []
    for n in nodes:
        if isinstance(n, Text):
            out.append(n.text)
        elif isinstance(n, (Emph, Strong, Span, Link)):
            out.append(plain_text(n.children))
    return "".join(out)


# ---- blocks ----


@dataclass
class Para:
    text: Rich
    loc: Loc
    id: str = ""


@dataclass
class Section:
    """A heading with its blocks; level 1 is a chapter."""

    id: str
    title: Rich
    level: int
    numbered: bool
    blocks: list
    loc: Loc
    number: str = ""  # set by resolve


@dataclass
class Quote:
    """kind: quote | epigraph | pullquote."""

    kind: str
    blocks: list
    attribution: Rich | None
    original: Rich | None
    original_lang: str
    loc: Loc
    id: str = ""


@dataclass
class Sidebar:
    id: str
    title: Rich
    blocks: list
    loc: Loc
    number: str = ""


@dataclass
class ListItem:
    text: Rich
    blocks: list
    loc: Loc
    id: str = ""
    number: str = ""


@dataclass
class ListBlock:
    ordered: bool
    items: list
    loc: Loc
    id: str = ""


@dataclass
class Term:
    term: Rich
    text: Rich
    loc: Loc


@dataclass
class Terms:
    items: list
    loc: Loc
    id: str = ""


@dataclass
class Column:
    title: Rich
    align: str
    width: float
    loc: Loc


@dataclass
class Cell:
    blocks: list
    loc: Loc
    tag: Rich | None = None
    colspan: int = 1


@dataclass
class Row:
    cells: list
    loc: Loc


@dataclass
class GroupRow:
    text: Rich
    loc: Loc


@dataclass
class Table:
    id: str
    caption: Rich
    source: Rich | None
    columns: list
    rows: list
    loc: Loc
    number: str = ""


@dataclass
class Figure:
    id: str
    caption: Rich
    source: Rich | None
    alt: Rich
    image: Path | None
    placeholder: Rich | None
    loc: Loc
    number: str = ""


Block = Union[Para, Section, Quote, Sidebar, ListBlock, Terms, Table, Figure]


@dataclass
class Note:
    id: str
    text: Rich
    loc: Loc
    translate: bool = False
    number: int = 0  # set by resolve, in order of first reference


@dataclass
class Author:
    name: str
    role: Rich | None
    bio: list  # of Rich
    loc: Loc


@dataclass
class AboutGroup:
    id: str
    title: Rich
    blocks: list
    loc: Loc


@dataclass
class Meta:
    title: Rich
    subtitle: Rich | None
    date: datetime.date
    organization: Rich
    organization_short: str
    lang: str
    notes_style: str
    notes_title: Rich | None
    authors: list
    about: list
    disclaimer: Rich | None
    copyright: Rich | None
    acknowledgments: list
    loc: Loc


@dataclass
class Report:
    """A whole report: metadata, chapters (level-1 sections) and notes by id."""

    id: str
    folder: Path
    meta: Meta
    chapters: list
    notes: dict
    files: list = field(default_factory=list)  # every file read, for caching and i18n
    section_numbers: dict = field(default_factory=dict)  # chapter id -> "chapter" | "plain"


def child_blocks(block) -> list:
    """The blocks nested directly inside a block (not inside inline text)."""
    if isinstance(block, (Section, Sidebar, Quote, AboutGroup)):
        return block.blocks
    if isinstance(block, ListBlock):
        return [b for item in block.items for b in item.blocks]
    if isinstance(block, Table):
        return [b for row in block.rows if isinstance(row, Row) for c in row.cells for b in c.blocks]
    return []


def walk_blocks(blocks) -> Iterator:
    """Every block in document order, depth first."""
    for b in blocks:
        yield b
        yield from walk_blocks(child_blocks(b))


def walk_inlines(nodes) -> Iterator:
    for n in nodes:
        yield n
        if isinstance(n, (Emph, Strong, Link, Span)):
            yield from walk_inlines(n.children)


def map_rich(obj, replace, seen: set | None = None) -> None:
    """Swap every Rich reachable from `obj` (dataclasses, lists, dicts) for replace(rich, owner), in place.
    Localize uses it to translate; checks use it to visit every text."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, Rich):
                setattr(obj, f.name, replace(value, obj))
            else:
                map_rich(value, replace, seen)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            if isinstance(value, Rich):
                obj[i] = replace(value, obj)
            else:
                map_rich(value, replace, seen)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            map_rich(value, replace, seen)
