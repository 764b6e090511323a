"""Citations as data: the report's references (CSL-JSON or BibTeX/BibLaTeX files named by `references:` in
report.yaml), their checks, and their rendering through a CSL processor (citeproc-py) into inline nodes.

- Reading: CSL-JSON with the json module (each entry's line found by scanning the file for its `"id"`),
  BibTeX/BibLaTeX with bibtexparser, converted to CSL-JSON items. reportkit's additions to CSL-JSON
  (all optional): `translated-title`, `translated-title-short`, and on a name `original` (the name in its
  own script, e.g. "陈国祥") with `original-lang`, and `others: true` (further authors exist, not listed;
  BibTeX's `and others`), printed as the localized "et al." / 「等」 after the names. `language` (BCP 47)
  is the language of the title.
- Checking (called by resolve): unknown keys and bad locators at the citing note, unused references and
  entries missing what their type requires at the entry's file:line.
- Rendering (called by presentation.typeset): each cited item is formatted by citeproc-py with the CSL
  style of the report and edition (`citations:` in report.yaml; the shipped styles are in csl/), as
  HTML, which is read back into Text / Emph / Link / Span nodes. Titles are marked before formatting so
  that they come back as spans of their language; URLs come back as links.
- Bibliography (`citations: {bibliography: true}`, called by presentation.typeset): every cited reference
  through its style's <bibliography> layout, read back the same way.
"""
from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from .errors import Collector, Diagnostic, Loc, ReportError, did_you_mean
from .model import Cite, Emph, Link, Span, Strong, Text

STYLE_DIR = Path(__file__).parent / "csl"
DEFAULT_STYLE = "chicago-fullnote"
DEFAULT_CHINESE_STYLE = "chinese-note"

# what each CSL type must have to print a usable citation (beyond an id)
REQUIRED = {
    "article-newspaper": ("title", "container-title", "issued"),
    "article-magazine": ("title", "container-title", "issued"),
    "article-journal": ("title", "container-title", "issued"),
    "book": ("title", "publisher", "issued"),
    "report": ("title", "issued"),
    "thesis": ("title", "publisher", "issued"),
    "chapter": ("title", "container-title", "issued"),
    "paper-conference": ("title", "container-title", "issued"),
    "webpage": ("title", "URL"),
    "post-weblog": ("title", "issued"),
    "post": ("title", "issued"),
    "broadcast": ("title", "issued"),
    "interview": ("title", "issued"),
    "speech": ("title", "issued"),
    "legislation": ("title", "issued"),
    "dataset": ("title",),
    "document": ("title",),
    "article": ("title",),
    "motion_picture": ("title", "issued"),
    "song": ("title", "issued"),
}
CSL_VARIABLES = {
    "id", "type", "title", "title-short", "container-title", "container-title-short", "collection-title", "publisher",
    "publisher-place", "issued", "accessed", "URL", "DOI", "ISBN", "page", "volume", "issue", "edition", "genre",
    "section", "medium", "number", "note", "author", "editor", "translator", "event", "event-place", "abstract",
    "language", "source", "archive", "version", "status", "dimensions", "number-of-pages",
}
EXTENSIONS = {"translated-title", "translated-title-short", "others"}
# "p. 5" -> ("page", "5"); a locator without a label is a page
LOCATOR_LABELS = {"p.": "page", "pp.": "page", "chap.": "chapter", "sec.": "section", "para.": "paragraph",
                  "fig.": "figure", "n.": "note", "nn.": "note", "vol.": "volume", "l.": "line", "ll.": "line",
                  "pt.": "part", "no.": "issue"}
# markers put around titles and URLs before formatting, read back as spans and links
_T0, _T1, _U0, _U1 = "\ue000", "\ue001", "\ue002", "\ue003"
_N0, _NL, _N1 = "\ue004", "\ue006", "\ue005"  # an original-script name: _N0 lang _NL name _N1
_ETAL = "\ue007"  # a last author standing for "others": the style joins it like a name, _et_al() localizes it


class Library:
    """The report's references: CSL-JSON items by id, where each was defined, and the `citations:` options.
    A plain object (not a model node): the traversal passes it over."""

    def __init__(self, items: dict, locs: dict, options: dict | None = None):
        self.items = items  # id -> CSL-JSON dict (with reportkit's extensions)
        self.locs = locs  # id -> Loc of the entry
        self.options = dict(options or {})

    def __eq__(self, other) -> bool:
        return isinstance(other, Library) and (self.items, self.locs, self.options) == (other.items, other.locs, other.options)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Library({len(self.items)} references)"

    def style_for(self, edition_lang: str, item: dict) -> tuple[str, str]:
        """(style name or path, CSL locale) for `item` in an edition: Chinese-language sources in a Chinese
        edition take the edition's Chinese form; every other source stays as published (the report's style)."""
        ref_lang = str(item.get("language") or "")
        if edition_lang.startswith("zh") and ref_lang.startswith("zh"):
            return self.options.get(edition_lang) or self.options.get("zh") or DEFAULT_CHINESE_STYLE, "zh-TW"
        return self.options.get("style") or DEFAULT_STYLE, "en-US"

    @property
    def subsequent(self) -> str:
        return self.options.get("subsequent") or "full"


# ---- reading ----

def read(paths: list[tuple[Path, str]], c: Collector, options: dict | None = None) -> Library:
    """The references of `paths` ((path, shown name) pairs); problems go to `c` at their file:line."""
    items: dict = {}
    locs: dict = {}
    for path, shown in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            c.error(Loc(shown), f"cannot read the references file: {e}; export it again as UTF-8")
            continue
        if path.suffix.lower() not in SUFFIXES:
            c.error(Loc(shown), "a references file must be CSL-JSON (.json) or BibTeX/BibLaTeX (.bib)")
            continue
        for key, item, loc, _ in parse(text, path.suffix.lower(), shown, c):
            if key in items:  # in the same file or in another one
                c.error(loc, f'reference "{key}" is defined twice (first at {locs[key]}); keep one')
                continue
            items[key], locs[key] = item, loc
    return Library(items, locs, options)


SUFFIXES = (".json", ".bib", ".bibtex")


def parse(text: str, suffix: str, shown: str, c: Collector) -> list[tuple[str, dict, Loc, dict | None]]:
    """Every entry of a references file's text, in file order, duplicates included: (key, CSL-JSON item,
    where it is, the BibTeX entry as bibtexparser read it or None). Problems go to `c`."""
    return _read_csl_json(text, shown, c) if suffix == ".json" else _read_bibtex(text, shown, c)


def _lines(text: str, pattern: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(pattern, text, re.M)]


def _read_csl_json(text: str, shown: str, c: Collector) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        c.error(Loc(shown, e.lineno, e.colno), f"not valid CSL-JSON: {e.msg}")
        return []
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        c.error(Loc(shown, 1), "CSL-JSON is a list of items ([{\"id\": …, \"type\": …}, …])")
        return []
    out = []
    seen: dict = {}  # key -> how many items with it so far: the n-th is at the n-th line found
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            c.error(Loc(shown, 1), f"item {i + 1} of the CSL-JSON list has no \"id\"")
            continue
        key = str(item["id"])
        n = seen[key] = seen.get(key, 0) + 1
        found = _lines(text, r'"id"\s*:\s*"?' + re.escape(key) + r'"?\s*[,}\n]')
        out.append((key, item, Loc(shown, found[n - 1] if n <= len(found) else 0), None))
    return out


# BibTeX <-> CSL: the (BibTeX, CSL) pairs refs import writes back, then the other BibTeX spellings it reads
BIB_TYPES = [("article", "article-journal"), ("book", "book"), ("online", "webpage"), ("report", "report"),
             ("inproceedings", "paper-conference"), ("incollection", "chapter"), ("thesis", "thesis"), ("misc", "document")]
_BIB_TYPES = dict(BIB_TYPES) | {"www": "webpage", "techreport": "report", "inbook": "chapter", "phdthesis": "thesis",
                                "mastersthesis": "thesis", "unpublished": "document", "newsarticle": "article-newspaper"}
BIB_FIELDS = [("title", "title"), ("shorttitle", "title-short"), ("journaltitle", "container-title"),
              ("publisher", "publisher"), ("location", "publisher-place"), ("url", "URL"), ("doi", "DOI"),
              ("pages", "page"), ("volume", "volume"), ("number", "issue"), ("note", "note"),
              ("translatedtitle", "translated-title"), ("translatedshorttitle", "translated-title-short"), ("type", "genre")]
_BIB_FIELDS = dict(BIB_FIELDS) | {"journal": "container-title", "booktitle": "container-title", "institution": "publisher",
                                  "school": "publisher", "address": "publisher-place"}
_BIB_LANGS = {"english": "en", "american": "en", "british": "en", "chinese": "zh", "japanese": "ja", "korean": "ko"}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


_BIB_SKIP = {"string", "comment", "preamble"}


def _read_bibtex(text: str, shown: str, c: Collector) -> list:
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    try:
        entries = iter(bibtexparser.loads(text, parser=parser).entries)
    except Exception as e:  # bibtexparser raises many kinds
        c.error(Loc(shown, 1), f"not valid BibTeX: {e}")
        return []
    out = []
    nxt = next(entries, None)
    for m in re.finditer(r"(?:^|(?<=\}))[ \t]*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", text, re.M):  # an entry's head
        kind, key, loc = m.group(1).lower(), m.group(2), Loc(shown, text.count("\n", 0, m.start()) + 1)
        if kind in _BIB_SKIP:
            continue
        if nxt is None or nxt.get("ID") != key:  # bibtexparser passes over an entry it cannot read
            c.error(loc, f'BibTeX entry "{key}" cannot be read (an unclosed brace or quote, or a missing comma?); '
                         "fix it in the export")
            continue
        out.append((key, _bib_to_csl(nxt), loc, nxt))
        nxt = next(entries, None)
    return out


def _unbrace(s: str) -> str:
    return re.sub(r"[{}]", "", s).strip()


def _bib_names(value: str) -> list:
    names = []
    for part in re.split(r"\s+and\s+", value.strip()):
        if part.startswith("{") and part.endswith("}"):
            names.append({"literal": _unbrace(part)})
        elif "," in part:
            family, given = part.split(",", 1)
            names.append({"family": _unbrace(family), "given": _unbrace(given)})
        else:
            bits = _unbrace(part).rsplit(" ", 1)
            names.append({"family": bits[-1], "given": bits[0]} if len(bits) == 2 else {"literal": bits[0]})
    return names


def _bib_date(e: dict, field: str = "date") -> dict | None:
    if e.get(field):
        parts = [int(x) for x in re.findall(r"\d+", e[field])[:3]]
        return {"date-parts": [parts]} if parts else None
    if field == "date" and e.get("year"):
        parts = [int(re.sub(r"\D", "", e["year"]) or 0)]
        month = e.get("month", "").strip().lower()[:3]
        if month:
            parts.append(_MONTHS.get(month) or int(re.sub(r"\D", "", month) or 1))
            if e.get("day"):
                parts.append(int(re.sub(r"\D", "", e["day"]) or 1))
        return {"date-parts": [parts]}
    return None


def _bib_to_csl(e: dict) -> dict:
    kind = e.get("ENTRYTYPE", "misc").lower()
    item: dict = {"id": e.get("ID", ""), "type": _BIB_TYPES.get(kind, "document")}
    if kind == "article" and e.get("entrysubtype", "").lower() in ("newspaper", "magazine"):
        item["type"] = "article-" + e["entrysubtype"].lower()
    for bib, csl in _BIB_FIELDS.items():
        if e.get(bib) and csl not in item:
            item[csl] = _unbrace(e[bib])
    for role in ("author", "editor", "translator"):
        if e.get(role):
            item[role] = _bib_names(e[role])
    if item.get("author") and item["author"][-1] == {"literal": "others"}:  # "A and others"
        item["author"].pop()
        item["others"] = True
    lang = _unbrace(e.get("langid") or e.get("language") or "")
    if lang:
        item["language"] = _BIB_LANGS.get(lang.lower(), lang)
    if _bib_date(e):
        item["issued"] = _bib_date(e)
    if _bib_date(e, "urldate"):
        item["accessed"] = _bib_date(e, "urldate")
    return item


# ---- checking ----

def parse_locator(text: str) -> tuple[str, str] | None:
    """"p. 5" -> ("page", "5"); "12" -> ("page", "12"); an unknown label -> None."""
    text = text.strip()
    if re.fullmatch(r"[\dIVXLCivxlc][\w\u2013\u2014\-–, ]*", text):
        return "page", text
    m = re.fullmatch(r"(\S+\.)\s*(\S.*)", text)
    if m and m.group(1) in LOCATOR_LABELS:
        return LOCATOR_LABELS[m.group(1)], m.group(2)
    return None


def check(library: Library | None, cites: list, c: Collector) -> None:
    """`cites`: (Cite, Rich, in_note) in document order. Unknown keys and bad locators at the citing text;
    unused references and entries missing required fields at their own line."""
    items = library.items if library else {}
    used = set()
    for cite, rich, in_note in cites:
        if not in_note:
            c.error(rich.loc, "a citation [cite: …] stands in a note; put it in a note and reference the note with [^id]")
        for key, locator in zip(cite.keys, cite.locators):
            if key not in items:
                where = "references.json (named by references: in report.yaml)" if library is None else "the references file"
                c.error(rich.loc, f'unknown reference "{key}"{did_you_mean(key, items)}; add it to {where}')
            used.add(key)
            if locator and parse_locator(locator) is None:
                c.error(rich.loc, f'locator "{locator}" of "{key}": write a page ("5", "pp. 3–5") or a label '
                                  f"({', '.join(sorted(LOCATOR_LABELS))}) and a number")
    for key, item in items.items():
        loc = library.locs[key]
        kind = item.get("type")
        if kind not in REQUIRED:
            c.error(loc, f'reference "{key}": type "{kind}" is not a CSL type reportkit formats{did_you_mean(str(kind), REQUIRED)}')
            continue
        lacking = [f for f in REQUIRED[kind] if not item.get(f)]
        if lacking:
            c.error(loc, f'reference "{key}" ({kind}) lacks {", ".join(lacking)}, which a {kind} needs; add it from the source')
        if item.get("translated-title") and not item.get("language"):
            c.error(loc, f'reference "{key}" has a translated title but no "language" for its title; add e.g. "language": "zh-Hans"')
        if "others" in item and (not isinstance(item["others"], bool) or not item.get("author")):
            c.error(loc, f'reference "{key}": "others" is true (further authors, not listed) after an "author" list; '
                         f'write "others": true next to the listed authors, or remove it')
        if key not in used:
            c.warning(loc, f'reference "{key}" is never cited; cite it with [cite: {key}] or delete it')


# ---- rendering ----

def find_style(name: str, folder: Path | None) -> Path | None:
    """The CSL file a style name in `citations:` stands for: the report folder's own `name` or `name.csl`
    first (a report may replace a shipped style), then the shipped `csl/name.csl`; None if neither exists."""
    own = name if name.endswith(".csl") else f"{name}.csl"
    candidates = ([folder / own] if folder is not None else []) + ([] if name.endswith(".csl") else [STYLE_DIR / own])
    return next((p for p in candidates if p.is_file()), None)


def _style_path(name: str, folder: Path | None) -> Path:
    return find_style(name, folder) or STYLE_DIR / f"{name}.csl"


def _style(path: str, locale: str):
    from .cache import stat_key

    return _parsed_style(*stat_key(path), locale)  # an edited style file is read again (preview runs long)


@functools.lru_cache(maxsize=16)
def _parsed_style(path: str, _size: int, _mtime: int, locale: str):
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(path, locale=locale, validate=False)


def _name(n: dict, chinese: bool, item_lang: str) -> dict:
    original = n.get("original")
    if original:
        from .langtag import script

        lang = n.get("original-lang") or script(original) or (item_lang if item_lang.startswith("zh") else "zh")
        original = f"{_N0}{lang}{_NL}{original}{_N1}"
    if chinese and original:
        return {"literal": original}
    if original:  # a Chinese name is written family name first, then its own script: "Chen Guoxiang 陈国祥"
        roman = n.get("literal") or " ".join(x for x in (n.get("family"), n.get("given")) if x)
        return {"literal": f"{roman} {original}".strip()}
    return {k: v for k, v in n.items() if k in ("family", "given", "literal", "suffix", "non-dropping-particle", "dropping-particle")}


def _csl_item(item: dict, chinese: bool, dates: str = "") -> dict:
    """The item as citeproc-py reads it; with `dates` (a Babel locale), its dates written out by CLDR's
    pattern for that locale (2026年1月10日, 2025年11月, 2025年), which the style prints as they are."""
    out = {k: v for k, v in item.items() if k in CSL_VARIABLES}
    if dates:
        for field in ("issued", "accessed"):
            written = _cldr_date(out.get(field), dates)
            if written:
                out[field] = {"literal": written}
    for role in ("author", "editor", "translator"):
        if role in out:
            out[role] = [_name(n, chinese, str(item.get("language") or "")) for n in out[role]]
    if item.get("others") is True and out.get("author"):
        out["author"] = out["author"] + [{"literal": _ETAL}]
    for field, tfield in (("title", "translated-title"), ("title-short", "translated-title-short")):
        base = item.get(field) or (item.get("title") if field == "title-short" else None)
        if not base:
            continue
        text = _T0 + base + _T1
        translated = item.get(tfield) or (item.get("translated-title") if field == "title-short" and not item.get("title-short") else None)
        if translated and not chinese:
            text += f" [{translated}]"
        out[field] = text
    if out.get("URL"):
        out["URL"] = _U0 + out["URL"] + _U1
    return out


def _date_locale(edition_lang: str) -> str:
    from .locales import parse_locale

    return parse_locale(edition_lang).babel


def _cldr_date(value, locale: str) -> str:
    """A CSL-JSON date (date-parts: year, month, day) in CLDR's pattern of that precision, or ""."""
    import datetime

    from babel.dates import format_skeleton

    parts = (value or {}).get("date-parts") if isinstance(value, dict) else None
    if not parts or not parts[0] or len(parts) > 1:
        return ""  # no date, or a range: the style's own date form
    try:
        y, m, d = (list(map(int, parts[0])) + [1, 1])[:3]
        when = datetime.date(y, m, d)
    except (TypeError, ValueError):
        return ""
    skeleton = {1: "y", 2: "yMMM"}.get(len(parts[0]), "yMMMd")
    return format_skeleton(skeleton, when, locale=locale)


def _kept(fn):
    """The CSL processor's output kept in the user cache. It is a pure function of the item, the style
    file, the locale and the form, and citeproc-py takes a few milliseconds a citation: the flagship's
    200 citations in two editions were the largest part of an edited build and of `check`."""

    @functools.wraps(fn)
    def kept(item: dict, style: str, *args):
        from . import cache

        parts = (fn.__name__, _processor(), _style_digest(*cache.stat_key(style)),
                 json.dumps([item, args], sort_keys=True, ensure_ascii=False))
        return cache.kept("csl", parts, lambda: fn(item, style, *args).encode("utf-8")).decode("utf-8")

    return kept


@functools.lru_cache(maxsize=None)
def _processor() -> str:
    from .cache import _version

    return f"citeproc-py {_version('citeproc-py')}"


@functools.lru_cache(maxsize=64)
def _style_digest(path: str, _size: int, _mtime: int) -> str:
    from .cache import file_sha256

    return file_sha256(Path(path))


@_kept
def _format(item: dict, style: str, locale: str, short: bool, locator: tuple | None) -> str:
    """One item as citeproc-py's HTML: the full note, or the short form (CSL position "subsequent")."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bib = CitationStylesBibliography(_style(style, locale), CiteProcJSON([item]), formatter.html)
        key = item["id"].lower()  # citeproc-py keys items in lower case
        loc = Locator(*locator) if locator else None
        last = CitationItem(key, locator=loc) if loc else CitationItem(key)
        cites = ([Citation([CitationItem(key)])] if short else []) + [Citation([last])]
        for ct in cites:
            bib.register(ct)
        out = [bib.cite(ct, lambda _: None) for ct in cites]
    return str(out[-1])


def _quotes_take_punctuation(text: str) -> str:
    """American usage (CSL's punctuation-in-quote): a comma or period after a closing quote goes inside it."""
    def move(m):
        single, mark, punct = m.group(1), m.group(2), m.group(3)
        return f"{punct}{single}{mark}”" if single else f"{mark}{punct}”"
    return re.sub(r"(['’]?)(\ue001?)”([,.])", move, text)


def _nodes(markup: str, title_lang: str, context_lang: str) -> list:
    """citeproc-py's HTML (<i>, <b>, entities) and our title / URL markers -> inline nodes."""
    markup = _et_al(markup, context_lang.startswith("zh"))
    root: list = []
    stack: list = [("root", root)]
    for token in re.split(r"(</?i>|</?b>|</?span[^>]*>|\ue004[^\ue006]*\ue006|[\ue000-\ue003\ue005])", markup):
        if not token:
            continue
        if token in ("<i>", "<b>", _T0, _U0) or token.startswith(_N0):
            stack.append((token, []))
        elif token in ("</i>", "</b>", _T1, _U1, _N1):
            kind, kids = stack.pop()
            if kind.startswith(_N0):
                lang = kind[1:-1]
                if _differs(lang, context_lang):
                    stack[-1][1].append(Span(lang, kids))
                else:
                    stack[-1][1].extend(kids)
                continue
            if kind == "<i>":
                node = Emph(kids)
            elif kind == "<b>":
                node = Strong(kids)
            elif kind == _U0:
                url = "".join(k.text for k in kids if isinstance(k, Text))
                node = Link(url, [Text(url)], auto=True)
            elif title_lang and _differs(title_lang, context_lang):
                node = Span(title_lang, kids)
            else:
                stack[-1][1].extend(kids)
                continue
            stack[-1][1].append(node)
        elif token.startswith("<"):
            continue  # citeproc-py's <span style=…> for small caps and the like: the text is kept
        else:
            text = html.unescape(token)
            kids = stack[-1][1]
            if kids and isinstance(kids[-1], Text):
                kids[-1] = Text(kids[-1].text + text)
            else:
                kids.append(Text(text))
    return root


def _et_al(markup: str, chinese: bool) -> str:
    """The "others" placeholder and the "and" / list comma the style put before it -> "A et al.", "A, B, et al.",
    「甲等」. A style that shortened the list itself (et-al-min) has dropped the placeholder already."""
    if chinese:
        return re.sub(r"\s*[、，,]?\s*(?:和|及|與|与)?\s*\ue007", "等", markup)
    return re.sub(r"(,?)\s*(?:\band\b|&amp;|&)?\s*\ue007", lambda m: m.group(1) + " et al.", markup)


def _differs(lang: str, context: str) -> bool:
    """A title needs its own span: another language, or another script of Chinese."""
    if lang.startswith("zh") or context.startswith("zh"):
        return lang != context
    return lang.split("-")[0] != context.split("-")[0]


def _prepare(library: Library, item: dict, edition_lang: str, folder: Path | None) -> tuple[bool, dict, str, str]:
    """(in the Chinese form?, the CSL item, the style file, the CSL locale) of a reference in an edition."""
    style, locale = library.style_for(edition_lang, item)
    chinese = locale.startswith("zh")
    return chinese, _csl_item(item, chinese, _date_locale(edition_lang) if chinese else ""), str(_style_path(style, folder)), locale


def _as_nodes(text: str, item: dict, chinese: bool, edition_lang: str) -> list:
    """citeproc's text as inline nodes; in a Chinese edition in a span of the language it is written in."""
    context = edition_lang if chinese else "en"
    nodes = _nodes(text, str(item.get("language") or ""), context)
    return [Span(context, nodes)] if edition_lang.startswith("zh") else nodes


def render(cite: Cite, library: Library, edition_lang: str, forms: tuple, folder: Path | None, after: str = "") -> tuple[list, int]:
    """The inline nodes of one citation in an edition, and how many characters of `after` (the text that
    follows it) were taken in (a period or comma that American usage puts inside the closing quote).
    `forms[i]` is "full" or "short" for `cite.keys[i]`."""
    out: list = []
    taken = 0
    prev_chinese = False
    last = len(cite.keys) - 1
    for i, (key, locator) in enumerate(zip(cite.keys, cite.locators)):
        item = library.items[key]
        chinese, csl, style, locale = _prepare(library, item, edition_lang, folder)
        text = _format(csl, style, locale, forms[i] == "short", parse_locator(locator) if locator else None)
        if not chinese:
            if i == last and after[:1] in (".", ",") and text.endswith("”"):
                text, taken = text + after[0], 1
            text = _quotes_take_punctuation(text)
        elif i == last and after[:1] in (".", ","):  # the Chinese form ends with its own full stop or comma
            text, taken = text + {".": "。", ",": "，"}[after[0]], 1
        nodes = _as_nodes(text, item, chinese, edition_lang)
        if i:  # the Chinese semicolon next to a citation in the Chinese form, else "; "
            out.append(Text("；" if chinese or prev_chinese else "; "))
        prev_chinese = chinese
        out.extend(nodes)
    return out, taken


@_kept
def _format_entry(item: dict, style: str, locale: str) -> str:
    """One item as citeproc-py's HTML, through the style's <bibliography> layout."""
    import warnings

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    csl = _style(style, locale)
    if not csl.has_bibliography():
        raise ReportError([Diagnostic(Loc(style), "this citation style has no <bibliography> layout; add one, "
                                                  "or turn the bibliography off (citations: {bibliography: false})")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bib = CitationStylesBibliography(csl, CiteProcJSON([item]), formatter.html)
        bib.register(Citation([CitationItem(item["id"].lower())]))
        return str(bib.bibliography()[0])


def cited_keys(report, notes_order, library: Library) -> list:
    """The references the report cites (in the notes it prints), in order of first citation."""
    out: list = []
    for nid in notes_order:
        note = report.notes.get(nid)
        for cite in cites_in(note.text.nodes) if note is not None else ():
            out += [k for k in cite.keys if k in library.items and k not in out]
    return out


def bibliography(library: Library, keys, edition_lang: str, folder: Path | None) -> list[tuple[str, list]]:
    """(key, inline nodes) of each reference in `keys`, formatted by its style's <bibliography> layout (the
    style the notes use for it in this edition) and sorted by the entry's text (author, else title). In a
    Chinese edition the entries in the Chinese form come first, then the others (中文在前，西文在後)."""
    from .model import plain_text

    entries = []
    for key in keys:
        item = library.items[key]
        chinese, csl, style, locale = _prepare(library, item, edition_lang, folder)
        text = _format_entry(csl, style, locale)
        if not chinese:  # "et al." takes the period that closes the authors
            text = _quotes_take_punctuation(text.replace(_ETAL + ".", _ETAL))
        nodes = _as_nodes(text, item, chinese, edition_lang)
        order = " ".join(re.findall(r"\w+", plain_text(nodes).casefold()))  # word by word; quotes and commas do not count
        entries.append((not chinese, order, key, nodes))
    entries.sort(key=lambda e: e[:3])
    return [(key, nodes) for _chinese, _order, key, nodes in entries]


def expand(nodes, library: Library, edition_lang: str, forms_of, folder: Path | None) -> tuple:
    """`nodes` with every Cite replaced by its rendering (recursively, inside spans and emphasis).
    `forms_of(cite)` gives the forms of the next Cite met, in document order."""
    out: list = []
    items = list(nodes)
    i = 0
    carry = 0  # characters of the next Text already printed inside a citation
    while i < len(items):
        n = items[i]
        if carry and isinstance(n, Text):
            n = Text(n.text[carry:])
            carry = 0
            if not n.text:
                i += 1
                continue
        if isinstance(n, Cite):
            nxt = items[i + 1] if i + 1 < len(items) else None
            after = nxt.text if isinstance(nxt, Text) else ""
            rendered, carry = render(n, library, edition_lang, forms_of(n), folder, after)
            out.extend(rendered)
        elif hasattr(n, "children") and not (isinstance(n, Link) and n.auto):
            import dataclasses

            out.append(dataclasses.replace(n, children=expand(n.children, library, edition_lang, forms_of, folder)))
        else:
            out.append(n)
        i += 1
    return tuple(out)


def cites_in(nodes):
    """Every Cite in `nodes`, in document order."""
    from .walk import inlines

    return (n for n in inlines(nodes) if isinstance(n, Cite))


def forms_by_note(report, notes_order, library: Library) -> dict:
    """note id -> [forms of each Cite in the note]: "full" at a reference's first citation (in note order),
    then "short" if the report's `citations: subsequent: short`, else "full"; [cite-full:] / [cite-short:] win."""
    seen: set = set()
    out: dict = {}
    for nid in notes_order:
        note = report.notes.get(nid)
        if note is None:
            continue
        per = []
        for cite in cites_in(note.text.nodes):
            forms = []
            for key in cite.keys:
                if cite.form:
                    forms.append(cite.form)
                else:
                    forms.append("short" if key in seen and library.subsequent == "short" else "full")
                seen.add(key)
            per.append(tuple(forms))
        out[nid] = per
    return out
