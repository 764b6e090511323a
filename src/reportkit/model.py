"""The document model: the typed, immutable tree that load produces and every later stage reads.

Nodes are frozen: lists become tuples and dicts read-only mappings when a node is made. Resolve returns
numbers and targets as its own result (keyed by id); localize returns a new tree. walk.py is the one
traversal every stage uses.
"""
from __future__ import annotations

import datetime
import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, Mapping, Union

from .errors import Loc


def _freeze(self) -> None:
    for name in _names(type(self)):
        value = getattr(self, name)
        if isinstance(value, list):
            object.__setattr__(self, name, tuple(value))
        elif isinstance(value, dict):
            object.__setattr__(self, name, MappingProxyType(dict(value)))


@functools.lru_cache(maxsize=None)
def _names(cls) -> tuple:
    return tuple(f.name for f in dataclasses.fields(cls))


def node(cls):
    """A frozen dataclass whose list and dict fields are frozen too."""
    cls.__post_init__ = _freeze
    return dataclass(frozen=True)(cls)


# ---- inline nodes ----


@node
class Text:
    """Literal text."""

    KIND: ClassVar[str] = "text"
    text: str


@node
class Emph:
    KIND: ClassVar[str] = "emph"
    children: list


@node
class Strong:
    KIND: ClassVar[str] = "strong"
    children: list


@node
class Link:
    """A link to an external URL; `auto` when it shows its own URL."""

    KIND: ClassVar[str] = "link"
    url: str
    children: list
    auto: bool = False


@node
class NoteRef:
    """A reference to note `id`; numbered by resolve."""

    KIND: ClassVar[str] = "noteref"
    id: str


@node
class XRef:
    """A cross-reference to any referable block; written as its localized label."""

    KIND: ClassVar[str] = "xref"
    id: str


@node
class Span:
    """Text in another language (BCP 47 `lang`)."""

    KIND: ClassVar[str] = "span"
    lang: str
    children: list


@node
class Cite:
    """A citation of references by key (`[cite: key, p. 5; other]`), in a note. `locators[i]` goes with
    `keys[i]` ("" for none); `form` is "" (full at first use, then as the report's `citations:` says),
    "full" or "short". presentation.typeset expands it into text through the CSL processor (citations.py)."""

    KIND: ClassVar[str] = "cite"
    keys: list
    locators: list
    form: str = ""


Inline = Union[Text, Emph, Strong, Link, NoteRef, XRef, Span, Cite]


@node
class Rich:
    """One translatable run of inline markup: its source markup, parsed nodes and location."""

    source: str
    nodes: list
    loc: Loc

    def plain(self) -> str:
        return plain_text(self.nodes)




# ---- blocks ----


@node
class Para:
    KIND: ClassVar[str] = "para"
    text: Rich
    loc: Loc
    id: str = ""


@node
class Section:
    """A heading with its blocks; level 1 is a chapter."""

    KIND: ClassVar[str] = "section"
    id: str
    title: Rich
    level: int
    numbered: bool
    blocks: list
    loc: Loc


@node
class Quote:
    """kind: quote | epigraph | pullquote."""

    KIND: ClassVar[str] = "quote"
    kind: str
    blocks: list
    attribution: Rich | None
    original: Rich | None
    original_lang: str
    loc: Loc
    id: str = ""


@node
class Sidebar:
    KIND: ClassVar[str] = "sidebar"
    id: str
    title: Rich
    blocks: list
    loc: Loc


@node
class ListItem:
    text: Rich
    blocks: list
    loc: Loc
    id: str = ""


@node
class ListBlock:
    KIND: ClassVar[str] = "list"
    ordered: bool
    items: list
    loc: Loc
    id: str = ""


@node
class Term:
    term: Rich
    text: Rich
    loc: Loc


@node
class Terms:
    KIND: ClassVar[str] = "terms"
    items: list
    loc: Loc
    id: str = ""


@node
class Column:
    title: Rich
    align: str
    width: float
    loc: Loc


@node
class Cell:
    blocks: list
    loc: Loc
    tag: Rich | None = None
    colspan: int = 1


@node
class Row:
    cells: list
    loc: Loc


@node
class GroupRow:
    text: Rich
    loc: Loc


@node
class Table:
    KIND: ClassVar[str] = "table"
    id: str
    caption: Rich
    source: Rich | None
    columns: list
    rows: list
    loc: Loc


@node
class Figure:
    KIND: ClassVar[str] = "figure"
    id: str
    caption: Rich
    source: Rich | None
    alt: Rich
    image: Path | None
    placeholder: Rich | None
    loc: Loc


Block = Union[Para, Section, Quote, Sidebar, ListBlock, Terms, Table, Figure]


@node
class Findings:
    """Key findings: the report's own sentences, set off where a decision-maker reads first."""

    KIND: ClassVar[str] = "findings"
    id: str
    title: Rich | None  # None: the interface word "Key findings"
    items: list  # of Rich
    loc: Loc


@node
class Recommendation:
    id: str
    lead: Rich  # the bold lead-in
    blocks: list
    loc: Loc


@node
class Recommendations:
    """Numbered recommendations ("Recommendation 1"), never confused with chapter numbers."""

    KIND: ClassVar[str] = "recommendations"
    id: str
    title: Rich | None
    items: list  # of Recommendation
    loc: Loc


@node
class Note:
    id: str
    text: Rich
    loc: Loc
    translate: bool = False


@node
class Author:
    name: Rich  # as printed: romanized unless a translation gives the author's own name
    role: Rich | None
    bio: list  # of Rich
    loc: Loc


@node
class AboutGroup:
    id: str
    title: Rich
    blocks: list
    loc: Loc


@node
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
    smart_quotes: bool = True  # straight quotes printed as typographic ones (presentation.typeset)
    series: Rich | None = None  # the series line over the cover title ("Economic Security Research Program")
    report_number: str = ""  # the publisher's report number, printed on the cover and in the citation
    url: str = ""  # where the report is published; printed in the suggested citation


@node
class Bibliography:
    """The references list that closes an edition (`citations: {bibliography: true}`, or the brand's
    default): made by presentation.typeset, never loaded. Not a block: the writers print it after the notes."""

    title: Rich  # "Bibliography" / 「參考文獻」, from presentation
    entries: list  # of Rich: one per cited reference, in order, each located at its reference entry


@node
class Report:
    """A whole report: metadata, chapters (level-1 sections) and notes by id."""

    id: str
    folder: Path
    meta: Meta
    chapters: list
    notes: dict
    files: tuple = ()  # every file read, for caching and i18n
    section_numbers: Mapping = field(default_factory=dict)  # chapter id -> "chapter" | "plain"
    references: object = None  # citations.Library (the report's `references:` files), or None
    bibliography: Bibliography | None = None  # only in a typeset edition whose bibliography is on


def plain_text(nodes) -> str:
    out = []
    for n in nodes:
        if isinstance(n, Text):
            out.append(n.text)
        elif isinstance(n, (Emph, Strong, Span, Link)):
            out.append(plain_text(n.children))
    return "".join(out)


BLOCKS = (Para, Section, Quote, Sidebar, ListBlock, Terms, Table, Figure, Findings, Recommendations)
INLINES = (Text, Emph, Strong, Link, NoteRef, XRef, Span, Cite)

