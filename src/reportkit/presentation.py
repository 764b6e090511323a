"""Presentation rules: the words and punctuation around the content, decided once for every writer.

Labels and their numbers, caption / source / term separators and attribution dashes per locale,
author lists (CLDR list patterns through Babel), dates, the grouping of consecutive note markers and
the anchor ids. The Typst and HTML writers print exactly these strings, so the editions agree.
"""
from __future__ import annotations

import dataclasses
import re

from .model import Emph, Link, NoteRef, Rich, Span, Strong, Text
from .ui_strings import LABELS

NOTE_SEPARATOR = ","  # between consecutive note markers: "3,4", never "34"
DIGIT_GAP = "\u2009"  # a thin space between a marker and a digit right after it: "²\u20092 月", not "22 月"


# In a display title (cover, chapter openers) a short word stays with the word after it ("A Thousand"):
# both writers glue the words this pattern matches to the next one.
DISPLAY_GLUE = r"\b(?:A|An|The|a|an|the|of|to|in|on|for|and|or|by|with|at|from|vs\.)"


def label(e, ident: str) -> str:
    """'Table 2', 'Section 2.3', '第 2 章'; an unnumbered part prints its (translated) title."""
    target = e.resolved.targets[ident]
    if target.kind in LABELS and target.number:
        return e._(LABELS[target.kind], number=target.number)
    title = e.titles.get(ident)
    return title.plain() if title is not None else ""


def recommendation_label(e, item, number: int) -> str:
    """'Recommendation 2': an item's place in its list (resolve gives the same number to an item with an id)."""
    return label(e, item.id) if item.id else e._(LABELS["recommendation"], number=str(number))


def caption_separator(e) -> str:
    """Between a caption's label and its text: "Table 2. Title" / "表 2　標題"."""
    return "\u3000" if e.locale.is_cjk else ". "


def term_separator(e) -> str:
    """After a term, a source word and other labels: "Strength: " / "優勢："."""
    return "：" if e.locale.is_cjk else ": "


def source_prefix(e) -> str:
    """Before a table's or figure's source line: "Source: " / "資料來源："."""
    return e._("Source") + term_separator(e)


def attribution_prefix(e) -> str:
    """Before a quotation's attribution: an em dash and a space in English, a two-em dash in Chinese."""
    return "——" if e.locale.is_cjk else "— "


def author_names(e) -> list[str]:
    """The edition's author names as printed (translated where the catalog gives a name)."""
    return [a.name.plain() for a in e.report.meta.authors if a.name.plain()]


def author_list(e, names) -> str:
    """"A and B", "A, B, and C" / "甲和乙": CLDR's list pattern for the edition's locale."""
    from babel.lists import format_list

    names = [n for n in names if n]
    text = format_list(names, locale=e.locale.babel) if names else ""
    if e.locale.is_cjk:  # 「Wang 和 Chang」: a space between Latin names and the CJK joining word
        text = re.sub(r"(?<=[A-Za-z0-9.])(和|及|與)(?=[A-Za-z])", r" \1 ", text)
    return text


def date_text(e) -> str:
    """The report's date as the edition's locale writes a month: "April 2026" / "2026年4月"."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", e.report.meta.date, locale=e.locale.babel)


def notes_title(e):
    """The heading of the notes list: the report's own (a Rich) or the interface word (a str)."""
    return e.report.meta.notes_title or e._("Notes")


# ---- the bibliography (citations: {bibliography: true}) ----

BIBLIOGRAPHY_ANCHOR = "bibliography"


def bibliography_on(report, brand=None) -> bool:
    """Whether an edition ends with a bibliography: the report's `citations: {bibliography: …}`, else the
    brand's, else off."""
    library = report.references
    said = library.options.get("bibliography") if library is not None else None
    if said is not None:
        return bool(said)
    return bool(getattr(brand, "bibliography", None))


def bibliography_title(e) -> str:
    """"Bibliography" / 「參考文獻」 (reportkit's own catalog)."""
    return e._("Bibliography")


# ---- anchors: the same ids in both writers ----

def note_anchor(number, style: str = "endnotes") -> str:
    return f"{'fn' if style == 'footnotes' else 'note'}-{number}"


def noteref_anchor(number) -> str:
    return f"noteref-{number}"


def block_anchor(block) -> str:
    """A block's id as an anchor, or "" for the automatic ids of paragraphs nobody can cite."""
    ident = getattr(block, "id", "")
    return "" if not ident or ident.startswith("p-") else ident


def xref_anchor(e, ident: str, style: str) -> str:
    """Where a cross-reference points: a note's number anchor, else the id itself."""
    target = e.resolved.targets[ident]
    return note_anchor(target.number, style) if target.kind == "note" else ident


_URL_PART = re.compile(r"(//)|(?<!/)(?=[/.,\-_?#%~](?!/))|(?=[=&])|(?<=[=&])")
URL_RUN = 16  # a longer run without punctuation (a hash, an identifier) may break every 16 characters


def url_pieces(url: str) -> list[str]:
    """Where a URL may break across lines, in every edition: after the scheme's "://" (never inside it),
    before a slash, period, comma, hyphen, underscore, ?, #, %, ~, before and after = and & (the Chicago
    Manual's rule), and inside a run longer than URL_RUN characters. The pieces, joined, are the URL."""
    head, sep, rest = url.partition("://")
    if not sep or not _SCHEME.fullmatch(head):  # a "://" further on (in a query) is not a scheme's
        head, sep, rest = "", "", url
    out: list[str] = [head + sep] if sep else []
    for piece in (p for p in _URL_PART.split(rest) if p):
        if piece == "//" and out:  # split keeps the "//" groups: they stay with the piece before them
            out[-1] += piece
        else:
            out += _runs(piece)
    merged: list[str] = []
    for piece in out:  # a mark, joiner or selector never starts a line, whatever stood before it
        if merged and (_modifies(piece[0]) or merged[-1].endswith("\u200d")):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _modifies(ch: str) -> bool:
    import unicodedata

    return bool(unicodedata.combining(ch)) or ch in "\u200d\ufe0e\ufe0f"


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")


def _runs(piece: str) -> list[str]:
    """`piece` cut every URL_RUN characters, never before a combining mark, a joiner or a variation
    selector (a character and what modifies it stay together)."""
    out, start = [], 0
    while len(piece) - start > URL_RUN:
        cut = start + URL_RUN
        while cut < len(piece) and (_modifies(piece[cut]) or piece[cut - 1] == "\u200d"):
            cut += 1
        out.append(piece[start:cut])
        start = cut
    return out + [piece[start:]] if start < len(piece) else out


def table_units(rows) -> list[tuple[int, int]]:
    """A table's body rows cut into the runs a page may not part, as (start, end) indexes: the first two
    body rows (with any group rows before them), the last two (with the group row heading them), and a
    group row with the row after it; every other row alone. A table of three body rows or fewer is one
    run. So a page never holds fewer than two body rows of a table, in the PDF and in the paged HTML.
    Two group rows in a row may be parted."""
    is_data = [hasattr(r, "cells") for r in rows]  # a GroupRow has no cells
    n = len(is_data)
    data = [i for i, d in enumerate(is_data) if d]
    if len(data) <= 3:
        starts = [0]
    else:
        last_start = data[-2]
        while last_start > 0 and not is_data[last_start - 1]:
            last_start -= 1
        starts = [0] + [i for i in range(data[1] + 1, last_start + 1) if i == last_start or is_data[i - 1]]
    # a group row followed by another heads nothing: a page may end after it (a table of group rows, or
    # of many group rows and few body rows, was one run taller than a page, and what fell off was lost)
    starts = sorted(set(starts) | {i for i in range(1, n) if not is_data[i - 1] and not is_data[i]})
    return list(zip(starts, starts[1:] + [n])) if n else []


def inline_runs(nodes):
    """The inline nodes with what must be printed before each: NOTE_SEPARATOR between consecutive
    note markers, DIGIT_GAP between a marker and a digit that follows it. Yields (before, node)."""
    prev = None
    for n in nodes:
        before = ""
        if isinstance(prev, NoteRef):
            if isinstance(n, NoteRef):
                before = NOTE_SEPARATOR
            elif isinstance(n, Text) and n.text[:1].isdigit():
                before = DIGIT_GAP
        yield before, n
        prev = n


# ---- typographic quotes (Pandoc's `smart` extension is the reference) ----

_OPENS_AFTER = set(" \t\n([{\u2014\u2013-/\u201c\u2018\u00a0\u2009")
_CJK = ("zh", "ja", "ko")


def _smarten(text: str, prev: str) -> str:
    """Straight quotes -> curly ones. `prev` is the character printed just before `text` ("" at the start)."""
    if '"' not in text and "'" not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        before = out[-1] if out else prev
        after = text[i + 1] if i + 1 < len(text) else ""
        opening = before == "" or before in _OPENS_AFTER
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
        elif ch == "'":
            if not opening and (before.isalnum() or before in ".,!?%)\u201d") :
                out.append("\u2019")  # apostrophe or closing quote: don't, China's, '90s closing
            elif opening and after[:1].isdigit() and re.match(r"\d\ds", text[i + 1:i + 4]):
                out.append("\u2019")  # '90s
            else:
                out.append("\u2018" if opening else "\u2019")
        else:
            out.append(ch)
    return "".join(out)


def typographic_quotes(nodes, lang: str):
    """The inline nodes with straight quotes made typographic, in Latin-script text only: text in a
    Chinese, Japanese or Korean span (or edition) and URLs are left as written."""
    state = {"prev": ""}

    def walk(items, lang):
        out = []
        for n in items:
            if isinstance(n, Text):
                text = n.text if lang.startswith(_CJK) else _smarten(n.text, state["prev"])
                state["prev"] = text[-1:] or state["prev"]
                out.append(Text(text) if text != n.text else n)
            elif isinstance(n, Span):
                out.append(dataclasses.replace(n, children=walk(n.children, n.lang)))
            elif isinstance(n, Link) and n.auto:
                out.append(n)  # a URL printed as itself
                state["prev"] = "x"
            elif isinstance(n, (Emph, Strong, Link)):
                out.append(dataclasses.replace(n, children=walk(n.children, lang)))
            else:
                out.append(n)
        return tuple(out)

    return walk(nodes, lang)


def tag_languages(nodes, lang: str):
    """Chinese runs written without a language span get one (zh-Hant or zh-Hans, told apart with
    OpenCC), in text of a non-CJK language: also inside the source-language spans of a translated edition."""
    from .langtag import tag_runs

    if not lang.startswith(_CJK):
        return tuple(tag_runs(list(nodes), lang))
    out = []
    for n in nodes:
        if isinstance(n, Span) and not n.lang.startswith(_CJK):
            n = dataclasses.replace(n, children=tuple(tag_runs(list(n.children), n.lang)))
        out.append(n)
    return tuple(out)


def unexpanded_cite(cite):
    """A writer meets citations only as typeset expanded them (resolve refuses one outside a note): one
    that reaches a writer is a reportkit bug, said as such, never printed in some other form."""
    from .walk import UnknownNode

    raise UnknownNode(f"a citation [cite: {'; '.join(cite.keys)}] reached a writer unexpanded: "
                      "presentation.typeset must run first (a reportkit bug)")


def expand_citations(edition, bibliography: bool = False):
    """The edition with every citation [cite: …] replaced by its text, formatted by the CSL processor
    (citations.py) in the style of the report and the edition's language; first and later citations of a
    reference are told apart in note order, the same in every edition. With `bibliography`, the report
    also gets its references list (model.Bibliography) from the styles' <bibliography> layouts."""
    from . import citations
    from .inline import _merge
    from .model import Bibliography, Note, plain_text
    from .walk import transform

    library = edition.report.references
    if library is None:
        return edition
    lang = edition.locale.bcp47
    forms = citations.forms_by_note(edition.report, edition.resolved.notes_order, library)

    def fix(rich: Rich, owner) -> Rich:
        if not isinstance(owner, Note) or not any(True for _ in citations.cites_in(rich.nodes)):
            return rich
        queue = list(forms.get(owner.id, ()))
        nodes = citations.expand(rich.nodes, library, lang, lambda cite: queue.pop(0) if queue else ("full",) * len(cite.keys),
                                 edition.report.folder)
        return dataclasses.replace(rich, nodes=tuple(_deep_merge(nodes, _merge)))

    report = transform(edition.report, rich=fix)
    keys = citations.cited_keys(edition.report, edition.resolved.notes_order, library) if bibliography else []
    if keys:
        entries = []
        for key, nodes in citations.bibliography(library, keys, lang, edition.report.folder):
            nodes = tuple(_deep_merge(nodes, _merge))
            entries.append(Rich(plain_text(nodes), nodes, library.locs[key]))  # a glyph problem points at the entry
        title = bibliography_title(edition)
        report = dataclasses.replace(report, bibliography=Bibliography(Rich(title, (Text(title),), report.meta.loc), entries))
    return dataclasses.replace(edition, report=report)


def _deep_merge(nodes, merge):
    out = []
    for n in nodes:
        if getattr(n, "children", None) is not None and not isinstance(n, Link):
            n = dataclasses.replace(n, children=tuple(_deep_merge(n.children, merge)))
        out.append(n)
    return merge(out)


def plain_spans(nodes, lang: str) -> tuple:
    """A language span inside text of the same language says nothing: its children take its place (a
    citation in English inside an English note that a zh-Hant edition prints as written)."""
    out: list = []
    for n in nodes:
        if isinstance(n, Span):
            kids = plain_spans(n.children, n.lang)
            if n.lang == lang:
                out.extend(kids)
                continue
            n = n if kids == tuple(n.children) else dataclasses.replace(n, children=kids)
        elif getattr(n, "children", None) is not None and not isinstance(n, (str, bytes)):
            kids = plain_spans(n.children, lang)
            n = n if kids == tuple(n.children) else dataclasses.replace(n, children=kids)
        out.append(n)
    return tuple(out)


def typeset(edition, bibliography: bool = False):
    """The edition as the writers print it: citations expanded into text (expand_citations), with the
    bibliography when `bibliography` (see bibliography_on), every run of text tagged with its language,
    and straight quotes made typographic unless the report says `smart_quotes: false`."""
    from .walk import transform

    memo = "_typeset_bib" if bibliography else "_typeset"
    done = edition.__dict__.get(memo)
    if done is not None:  # every writer of one edition prints the same typeset text: made once
        return done
    source = edition
    edition = expand_citations(edition, bibliography)
    lang = edition.locale.bcp47
    smart = getattr(edition.report.meta, "smart_quotes", True)

    def fix(rich: Rich, owner) -> Rich:
        nodes = plain_spans(tag_languages(rich.nodes, lang), lang)
        if smart:
            nodes = typographic_quotes(nodes, lang)
        return rich if nodes == tuple(rich.nodes) else dataclasses.replace(rich, nodes=nodes)

    result = dataclasses.replace(edition, report=transform(edition.report, rich=fix))
    result.__dict__[memo] = result  # typesetting twice changes nothing
    source.__dict__[memo] = result  # (the edition is frozen; this memo is not one of its fields)
    return result
