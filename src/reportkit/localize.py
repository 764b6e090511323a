"""Apply a language to a resolved report: Resolved + catalog -> Edition (translated text, labels, CLDR dates).

Translations are looked up by source text; each is parsed with the same inline parser as the content and
must keep the source's note references, cross-references, links and markup, or the edition is refused.
"""
from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field

from . import inline
from .catalog_ui import translations
from .errors import Collector
from .locales import LocaleCode, parse_locale
from .model import Report, Rich, map_rich
from .resolve import Resolved, Target
from .ui_strings import LABELS


@dataclass
class Edition:
    """One language of a report, ready for any renderer."""

    report: Report
    resolved: Resolved
    locale: LocaleCode
    source_locale: LocaleCode
    gettext: object
    stats: dict = field(default_factory=dict)  # translated / fallback / fuzzy counts
    alternates: list = field(default_factory=list)  # [(LocaleCode, href, language name)] filled by the build

    def _(self, message: str, **kw) -> str:
        text = self.gettext.gettext(message)
        return text % kw if kw else text

    def label(self, target: Target) -> str:
        """'Table 2', 'Section 2.3', '第 2 章' — the localized words for a numbered target."""
        if target.kind in LABELS and target.number:
            return self._(LABELS[target.kind], number=target.number)
        return target.title.plain() if target.title is not None else ""

    def label_of(self, ident: str) -> str:
        return self.label(self.resolved.targets[ident])

    @property
    def colon(self) -> str:
        """The separator after a term label ("Strength: ", "優勢：")."""
        return "：" if self.locale.is_cjk else ": "

    @property
    def caption_sep(self) -> str:
        """Between a caption's label and its text: "Table 2. Title" / "表 2　標題"."""
        return "\u3000" if self.locale.is_cjk else ". "

    def date_text(self) -> str:
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", self.report.meta.date, locale=self.locale.babel)

    def notes_style(self, override: str | None, brand_default: str) -> str:
        return override or self.report.meta.notes_style or brand_default


def localize(resolved: Resolved, lang: str | None = None, catalog=None) -> Edition:
    """Make the edition of `lang` (default: the source language). `catalog` maps source text to an entry
    with .string, .fuzzy and .loc (see i18n.catalog); missing or fuzzy entries fall back to the source."""
    source = parse_locale(resolved.report.meta.lang)
    locale = parse_locale(lang) if lang else source
    ui = translations(locale.gettext)
    if locale == source or catalog is None:
        return Edition(resolved.report, resolved, locale, source, ui, {"units": 0, "translated": 0, "fallback": 0, "fuzzy": 0})
    report = copy.deepcopy(resolved.report)
    c = Collector()
    stats = Counter(units=0, translated=0, fallback=0, fuzzy=0)
    notes_ids = {id(n) for n in report.notes.values() if not n.translate}

    def replace(rich: Rich, owner) -> Rich:
        if id(owner) in notes_ids:
            return rich  # citations stay as published unless the report asks to translate them
        stats["units"] += 1
        entry = catalog.get(rich.source)
        if entry is None or not entry.string:
            stats["fallback"] += 1
            return rich
        if entry.fuzzy:
            stats["fuzzy"] += 1
            stats["fallback"] += 1
            return rich
        nodes, problem = parse_translation(rich, entry.string, locale.bcp47)
        if problem:
            c.error(entry.loc, problem)
            return rich
        stats["translated"] += 1
        return Rich(entry.string, nodes, entry.loc)

    map_rich(report, replace)
    _localize_artwork(report, locale)
    c.raise_if_errors()
    # the targets' titles must follow the translation (they are what cross-references print)
    targets = {}
    by_id = _titles_by_id(report)
    for ident, t in resolved.targets.items():
        targets[ident] = Target(t.kind, t.number, by_id.get(ident, t.title), t.loc)
    notes_order = [report.notes[n.id] for n in resolved.notes_order]
    new_resolved = Resolved(report, targets, notes_order, resolved.warnings, resolved.placeholders)
    return Edition(report, new_resolved, locale, source, ui, dict(stats))


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


def _localize_artwork(report: Report, locale: LocaleCode) -> None:
    """A figure `figures/x.svg` is shown as `figures/x.<lang>.svg` in that language's edition, if it exists
    (artwork with words in it is translated like text, by the design team)."""
    from .model import Figure, walk_blocks

    for ch in report.chapters:
        for b in walk_blocks([ch]):
            if isinstance(b, Figure) and b.image is not None:
                variant = b.image.with_name(f"{b.image.stem}.{locale.bcp47}{b.image.suffix}")
                if variant.is_file():
                    b.image = variant


def _titles_by_id(report: Report) -> dict:
    from .model import walk_blocks

    out = {}
    for ch in report.chapters:
        for b in walk_blocks([ch]):
            title = getattr(b, "title", None) or getattr(b, "caption", None)
            if getattr(b, "id", "") and isinstance(title, Rich):
                out[b.id] = title
    for g in report.meta.about:
        out[g.id] = g.title
    return out


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
