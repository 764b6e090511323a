"""Apply a language to a resolved report: Resolved + catalog -> Edition (translated text, labels, CLDR dates).

Translations are looked up by source text; each is parsed with the same inline parser as the content and
must keep the source's note references, cross-references, links and markup, or the edition is refused.
"""
from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import inline
from .catalog_ui import translations
from .errors import Collector
from .locales import LocaleCode, parse_locale
from .model import Figure, Note, Report, Rich, Span
from .resolve import Resolved
from .walk import nodes, transform


@dataclass(frozen=True)
class Edition:
    """One language of a report, ready for any writer: its own (translated) tree, the numbering of the
    source, the interface words of its language."""

    report: Report
    resolved: Resolved
    locale: LocaleCode
    source_locale: LocaleCode
    gettext: object = field(compare=False)
    stats: dict = field(default_factory=dict)  # translated / fallback / fuzzy counts
    alternates: tuple = ()  # ((LocaleCode, href, language name), ...) given by the build
    siblings: tuple = ()  # file names of every artifact the same build writes (PDF links in the HTML)

    def _(self, message: str, **kw) -> str:
        text = self.gettext.gettext(message)
        return text % kw if kw else text

    def number(self, ident: str) -> str:
        return self.resolved.number(ident)

    def note_number(self, ident: str) -> int:
        return self.resolved.note_number(ident)

    def notes(self) -> list[Note]:
        """The edition's notes in number order."""
        return [self.report.notes[i] for i in self.resolved.notes_order]

    @functools.cached_property
    def titles(self) -> dict:
        """id -> this edition's title (or caption) of every titled node, for labels of unnumbered parts."""
        out = {}
        for n in nodes(self.report):
            title = getattr(n, "title", None) or getattr(n, "caption", None)
            if getattr(n, "id", "") and isinstance(title, Rich):
                out[n.id] = title
        return out


def localize(resolved: Resolved, lang: str | None = None, catalog=None) -> Edition:
    """Make the edition of `lang` (default: the source language). `catalog` maps source text to an entry
    with .string, .fuzzy and .loc (see i18n.catalog); missing or fuzzy entries fall back to the source,
    tagged with the source language. Returns a new tree; `resolved` is not changed."""
    source = parse_locale(resolved.report.meta.lang)
    locale = parse_locale(lang) if lang else source
    ui = translations(locale.gettext)
    if locale == source or catalog is None:
        return Edition(resolved.report, resolved, locale, source, ui, {"units": 0, "translated": 0, "fallback": 0, "fuzzy": 0})
    c = Collector()
    stats = Counter(units=0, translated=0, fallback=0, fuzzy=0)
    lookup = getattr(catalog, "lookup", None)

    def fallback(rich: Rich) -> Rich:
        # text left in the source language says so, for screen readers, hyphenation and fonts
        return Rich(rich.source, (Span(source.bcp47, rich.nodes),), rich.loc) if rich.nodes else rich

    def replace(rich: Rich, owner) -> Rich:
        if isinstance(owner, Note) and not owner.translate:
            return fallback(rich)  # citations stay as published unless the report asks to translate them
        stats["units"] += 1
        entry = lookup(Path(rich.loc.file).stem, rich.source) if lookup else catalog.get(rich.source)
        if entry is None or not entry.string:
            stats["fallback"] += 1
            return fallback(rich)
        if entry.fuzzy:
            stats["fuzzy"] += 1
            stats["fallback"] += 1
            return fallback(rich)
        parsed, problem = parse_translation(rich, entry.string, locale.bcp47)
        if problem:
            c.error(entry.loc, problem)
            return rich
        stats["translated"] += 1
        return Rich(entry.string, parsed, entry.loc)

    report = transform(resolved.report, rich=replace, node=lambda new, old: _artwork(new, locale))
    c.raise_if_errors()
    return Edition(report, resolved, locale, source, ui, dict(stats))


def parse_translation(source: Rich, text: str, lang: str) -> tuple[list | None, str | None]:
    """Parse a translation with the content's own inline parser and compare its markup with the
    source's (by note, reference and link target, not by raw text). Returns (nodes, None) when it
    keeps every note, reference, link and emphasis, else (nodes or None, what is wrong)."""
    try:
        nodes = inline.parse(text)
    except inline.InlineError as e:
        return None, f"unbalanced markup in translation: {e}"
    want = Counter(inline.placeholders(source.nodes, lang))
    got = Counter(inline.placeholders(nodes, lang))
    if want != got:
        return nodes, (f"translation changes the markup: {describe(want, got)}; "
                       "keep every note, reference, link and emphasis of the source")
    return nodes, None


def _artwork(n, locale: LocaleCode):
    """A figure `figures/x.svg` is shown as `figures/x.<lang>.svg` in that language's edition, if it exists
    (artwork with words in it is translated like text, by the design team)."""
    if isinstance(n, Figure) and n.image is not None:
        variant = n.image.with_name(f"{n.image.stem}.{locale.bcp47}{n.image.suffix}")
        if variant.is_file():
            return dataclasses.replace(n, image=variant)
    return n


def describe(want: Counter, got: Counter) -> str:
    missing = list((want - got).elements())
    extra = list((got - want).elements())
    show = lambda items: ", ".join(_show(p) for p in items)  # noqa: E731
    parts = []
    if missing:
        parts.append(f"missing {show(missing)}")
    if extra:
        parts.append(f"added {show(extra)}")
    return "; ".join(parts)


def _show(p: tuple) -> str:
    kind = p[0]
    if kind == "note":
        return f"[^{p[1]}]"
    if kind == "ref":
        return f"[@{p[1]}]"
    if kind == "link":
        return f"link {p[1]}"
    if kind == "span":
        return f"{{lang={p[1]}}} span"
    return {"emphasis": "*emphasis*", "strong": "**strong**"}.get(kind, kind)
