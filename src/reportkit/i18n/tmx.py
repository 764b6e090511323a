"""Translation memory: TMX 1.4b export of reviewed translations, and pre-translation from a TMX file.

Export (`reportkit i18n export-tmx -o memory.tmx [--lang zh-Hant]`): every translated, not fuzzy,
active entry of every report's catalogs under locales/ (all languages unless --lang), srclang en,
one `<tu>` per (catalog, source, translation), with the catalog as `<prop type="x-context">`
("four-ounces/ch2-2-models"). Markup is kept as TMX inline codes (`<ph>` for note markers,
cross-references and autolinks; `<bpt>`/`<ept>` around emphasis, links and spans) holding the
reportkit text, so a CAT tool's matches keep the tags. Dates are the catalogs' POT-Creation-Date (the
report's date), never the clock: the same catalogs always give the same bytes.

Pre-translation (`reportkit i18n pretranslate --tm memory.tmx --lang zh-Hant`, or
`i18n update --tm memory.tmx`): each *untranslated* entry whose source is in the memory exactly (the
same characters; whitespace runs collapsed) gets the memory's translation:
  - translated (not fuzzy) when the memory's unit comes from the same catalog (an in-context exact
    match: same text, same place, reviewed once already);
  - fuzzy otherwise (the same words elsewhere may need another rendering: a translator confirms).
Translated or fuzzy entries are never touched. With several candidates the in-context one wins, then
the one most units agree on.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import Diagnostic, Loc, ReportError
from ..inline import InlineError, parse as parse_inline
from ..locales import parse_locale
from .catalog import _dump, _write_if_changed, catalog_files, normalize, read_catalog, shown_path

SOURCE_LANG = "en"


def _stamp(cat) -> str:
    """POT-Creation-Date '2026-04-01 00:00+0000' -> TMX '20260401T000000Z' (fixed 19700101 when absent)."""
    value = cat.header_fields().get("POT-Creation-Date", "")
    m = re.match(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)", value)
    return f"{m.group(1)}{m.group(2)}{m.group(3)}T{m.group(4)}{m.group(5)}00Z" if m else "19700101T000000Z"


def _seg(markup: str) -> str:
    """reportkit markup -> TMX <seg> content with inline codes."""
    from .xliff import Code, XliffError, _tokens

    codes: list[Code] = []
    try:
        tokens = _tokens(parse_inline(markup), codes)
    except (InlineError, XliffError):
        return escape(markup)
    out = []
    for kind, value in tokens:
        if kind == "text":
            out.append(escape(value))
        elif kind == "ph":
            out.append(f'<ph x="{value.id}">{escape(value.start)}</ph>')
        elif kind == "open":
            out.append(f'<bpt i="{value.id}">{escape(value.start)}</bpt>')
        else:
            out.append(f'<ept i="{value.id}">{escape(value.end)}</ept>')
    return "".join(out)


def _read_seg(el) -> str:
    """TMX <seg> -> reportkit markup: text escaped, code contents as written."""
    from ..inline import escape

    out = [escape(el.text or "")]
    for child in el:
        tag = child.tag
        if tag in ("ph", "bpt", "ept", "it"):
            out.append("".join(child.itertext()))
        elif tag in ("hi", "ut"):
            out.append(_read_seg(child))
        out.append(escape(child.tail or ""))
    return "".join(out)


def export(root: Path, lang: str | None = None) -> str:
    langs = [parse_locale(lang).bcp47] if lang else sorted(
        p.name for p in root.iterdir() if p.is_dir() and p.name != "templates") if root.is_dir() else []
    tus = []
    dates = []
    for code in langs:
        folder = root / code
        for report in sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
            for path in catalog_files(report, code, root):
                cat = read_catalog(path)
                date = _stamp(cat)
                dates.append(date)
                for e in cat.active:
                    if e.msgid and e.msgstr and not e.fuzzy and e.msgctxt is None and e.msgid_plural is None:
                        tus.append((f"{report}/{path.stem}", code, e.msgid, e.msgstr, date))
    header_date = max(dates) if dates else "19700101T000000Z"
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
           '<tmx version="1.4">',
           f'  <header creationtool="reportkit" creationtoolversion="1" datatype="plaintext" segtype="paragraph" '
           f'adminlang="en" srclang="{SOURCE_LANG}" o-tmf="PO" creationdate="{header_date}"/>',
           "  <body>"]
    seen = set()
    for context, code, src, tgt, date in tus:
        if (context, code, src, tgt) in seen:
            continue
        seen.add((context, code, src, tgt))
        out += [f'    <tu creationdate="{date}" changedate="{date}">',
                f'      <prop type="x-context">{escape(context)}</prop>',
                f'      <tuv xml:lang="{SOURCE_LANG}"><seg>{_seg(src)}</seg></tuv>',
                f'      <tuv xml:lang={quoteattr(code)}><seg>{_seg(tgt)}</seg></tuv>',
                "    </tu>"]
    out += ["  </body>", "</tmx>", ""]
    return "\n".join(out)


def read(path: Path, lang: str) -> dict[str, list[tuple[str, str]]]:
    """normalized source -> [(context, translation markup)] for `lang` (matched on language, any region)."""
    from lxml import etree

    try:
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)).getroot()
    except (OSError, etree.XMLSyntaxError) as e:
        raise ReportError([Diagnostic(Loc(shown_path(path)), f"not a readable TMX file: {e}")])
    want = parse_locale(lang).bcp47.lower()
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    out: dict[str, list[tuple[str, str]]] = {}
    for tu in doc.iter("tu"):
        context = next((p.text or "" for p in tu.findall("prop") if p.get("type") == "x-context"), "")
        src = tgt = None
        for tuv in tu.findall("tuv"):
            tag = (tuv.get(xml_lang) or tuv.get("lang") or "").replace("_", "-").lower()
            seg = tuv.find("seg")
            if seg is None:
                continue
            if tag.split("-")[0] == SOURCE_LANG and src is None:
                src = _read_seg(seg)
            elif tag == want or tag.startswith(want + "-"):
                tgt = _read_seg(seg)
        if src and tgt:
            out.setdefault(normalize(src), []).append((context, tgt))
    return out


def pretranslate(report_id: str, lang: str, root: Path, tm_path: Path) -> list[tuple[Path, bool, int, int]]:
    """Fill untranslated entries from exact TM matches. Returns (path, changed, translated, fuzzy)."""
    code = parse_locale(lang)
    memory = read(tm_path, code.bcp47)
    plans = []
    for path in catalog_files(report_id, code.bcp47, root):
        cat = read_catalog(path)
        context = f"{report_id}/{path.stem}"
        exact = fuzzy = 0
        for e in cat.active:
            if not e.msgid or e.translated or e.msgctxt is not None or e.msgid_plural is not None:
                continue
            found = memory.get(normalize(e.msgid))
            if not found:
                continue
            own = [t for c, t in found if c == context]
            if own:
                e.msgstr, e.fuzzy = own[0], False
                exact += 1
            else:
                e.msgstr = Counter(t for _, t in found).most_common(1)[0][0]
                e.fuzzy = True
                fuzzy += 1
        plans.append((path, cat, exact, fuzzy))
    return [(path, _write_if_changed(path, _dump(cat, path)) if exact or fuzzy else False, exact, fuzzy)
            for path, cat, exact, fuzzy in plans]
