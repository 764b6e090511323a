"""XLIFF 2.0 export and import of a language's catalogs, for CAT tools (Trados, memoQ, Phrase...).

Export (`reportkit i18n export-xliff [REPORT] --lang zh-Hant -o file.xlf`): one `<file>` per catalog
(id = "<report>.<part>", original = the PO path under locales/<lang>/), one `<unit>` per active entry.
A unit's id is a hash of catalog + msgid, so it is the same in every export while the source text
stays the same. States: untranslated -> `initial` (no target), fuzzy -> `translated`, translated (not
fuzzy) -> `reviewed`. The entry's comments travel as `<note>`s: context (with the HTML anchor and any
original-language wording), location, the translator's comments, and the previous source of a fuzzy
entry.

Inline markup is protected as XLIFF inline codes, each with its reportkit text in `<originalData>`:
note markers `[^id]`, cross-references `[@id]` and autolinks `<url>` are `<ph/>`; emphasis `*..*`,
strong `**..**`, links `[..](url)` and language spans `[..]{lang=..}` are `<pc>..</pc>` around the
words they mark. Codes are `canDelete="no"` and `canCopy="no"` (a span in the target's own language
may be dropped: the translation is that language anyway), so a CAT tool keeps them.

Import (`reportkit i18n import-xliff file.xlf`) turns the codes back into reportkit markup, refuses
(one line naming the unit id) a target whose codes differ from its source's, and writes every target
into the PO entry its unit id names, through the catalog layer (GNU layout). A unit whose target is
what the catalog already says changes nothing, so exporting and importing gives back the same bytes.
`reviewed`/`final` -> translated; `translated` or `initial` with a target -> fuzzy. An empty or
missing target never erases a translation. Nothing is written unless the whole file imports.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import Diagnostic, Loc, ReportError
from ..inline import InlineError, escape as escape_markup, parse as parse_inline
from ..locales import parse_locale
from ..model import Cite, Emph, Link, NoteRef, Span, Strong, Text, XRef
from .catalog import _dump, _write_if_changed, catalog_files, read_catalog, shown_path

NS = "urn:oasis:names:tc:xliff:document:2.0"
_X = "{" + NS + "}"
SOURCE_LANG = "en"


class XliffError(ValueError):
    pass


def unit_id(catalog: str, msgid: str) -> str:
    """Stable id of an entry: 'u' + the first 16 hex digits of sha1(catalog NUL msgid)."""
    return "u" + hashlib.sha1(f"{catalog}\0{msgid}".encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------------- inline codes

@dataclass
class Code:
    id: str
    kind: str  # ph | pc
    start: str  # reportkit text of a ph, or of the opening of a pc
    end: str = ""  # reportkit text closing a pc
    disp: str = ""
    deletable: bool = False


def _tokens(nodes, codes: list[Code], target_lang: str = ""):
    """Nodes -> list of ("text", str) | ("ph", Code) | ("open", Code) | ("close", Code), codes numbered
    in document order."""
    own = target_lang.split("-")[0] if target_lang else None
    out = []
    for n in nodes:
        if isinstance(n, Text):
            out.append(("text", n.text))
            continue
        cid = str(len(codes) + 1)
        if isinstance(n, NoteRef):
            code = Code(cid, "ph", f"[^{n.id}]", disp=f"[^{n.id}]")
        elif isinstance(n, XRef):
            code = Code(cid, "ph", f"[@{n.id}]", disp=f"[@{n.id}]")
        elif isinstance(n, Cite):  # `[cite: key, p. 5; other]`: one locator (maybe empty) per key
            form = f"-{n.form}" if n.form else ""
            keys = "; ".join(k + (f", {loc}" if loc else "") for k, loc in zip(n.keys, n.locators))
            code = Code(cid, "ph", f"[cite{form}: {keys}]", disp=f"[cite: {keys}]")
        elif isinstance(n, Link) and n.auto:
            code = Code(cid, "ph", f"<{n.url}>", disp=n.url)
        elif isinstance(n, Link):
            code = Code(cid, "pc", "[", f"]({n.url})", disp=n.url)
        elif isinstance(n, Strong):
            code = Code(cid, "pc", "**", "**", disp="strong")
        elif isinstance(n, Emph):
            code = Code(cid, "pc", "*", "*", disp="emphasis")
        elif isinstance(n, Span):
            code = Code(cid, "pc", "[", f"]{{lang={n.lang}}}", disp=n.lang,
                        deletable=bool(own) and n.lang.split("-")[0] == own)
        else:
            raise XliffError(f"no inline code for {type(n).__name__}")
        codes.append(code)
        if code.kind == "ph":
            out.append(("ph", code))
        else:
            out.append(("open", code))
            out.extend(_tokens(n.children, codes, target_lang))
            out.append(("close", code))
    return out


def _content_xml(tokens, with_data: bool = True) -> str:
    out = []
    for kind, value in tokens:
        if kind == "text":
            out.append(escape(value))
        elif kind == "ph":
            out.append(f'<ph id="{value.id}"' + (f' dataRef="d{value.id}"' if with_data else "")
                       + f' disp={quoteattr(value.disp)} canCopy="no"'
                       + ("" if value.deletable else ' canDelete="no"') + "/>")
        elif kind == "open":
            out.append(f'<pc id="{value.id}"' + (f' dataRefStart="d{value.id}s" dataRefEnd="d{value.id}e"' if with_data else "")
                       + f' dispStart={quoteattr(value.disp)} dispEnd={quoteattr(value.disp)} canCopy="no"'
                       + ("" if value.deletable else ' canDelete="no"') + ">")
        else:
            out.append("</pc>")
    return "".join(out)


def _target_tokens(msgstr: str, source_codes: list[Code], target_lang: str):
    """The target's tokens with codes matched to the source's by what they are (same note id, same
    link...), in order; None when the msgstr's markup cannot be parsed or matched (then exported as text)."""
    try:
        codes: list[Code] = []
        toks = _tokens(parse_inline(msgstr), codes, target_lang)
    except (InlineError, XliffError):
        return None
    pool = list(source_codes)
    ids = {}
    for c in codes:
        match = next((s for s in pool if (s.kind, s.start, s.end) == (c.kind, c.start, c.end)), None)
        if match is None:
            return None
        pool.remove(match)
        ids[id(c)] = match
    return [(k, ids[id(v)] if k != "text" else v) for k, v in toks]


# ------------------------------------------------------------------------------------------- export

def _state(e) -> str:
    if not e.msgstr:
        return "initial"
    return "translated" if e.fuzzy else "reviewed"


def export(report_id: str, lang: str, root: Path) -> str:
    code = parse_locale(lang)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<xliff xmlns="{NS}" version="2.0" srcLang="{SOURCE_LANG}" trgLang="{code.bcp47}">']
    for path in catalog_files(report_id, code.bcp47, root):
        cat = read_catalog(path)
        entries = [e for e in cat.active if e.msgid and e.msgctxt is None and e.msgid_plural is None]
        if not entries:
            continue
        original = path.relative_to(root / code.bcp47).as_posix()
        out.append(f'  <file id={quoteattr(f"{report_id}.{path.stem}")} original={quoteattr(original)}>')
        for e in entries:
            out.append(_unit(path.stem, e, code.bcp47))
        out.append("  </file>")
    out.append("</xliff>")
    return "\n".join(out) + "\n"


def _unit(catalog: str, e, lang: str) -> str:
    codes: list[Code] = []
    plain_ok = True
    try:
        src_tokens = _tokens(parse_inline(e.msgid), codes, lang)
    except (InlineError, XliffError):  # XliffError: an inline kind without a code yet: sent as text
        src_tokens = [("text", e.msgid)]  # figure text and the like: no markup
        codes, plain_ok = [], False
    lines = [f'    <unit id="{unit_id(catalog, e.msgid)}">']
    notes = [("context", c) for c in e.auto_comments] + [("location", " ".join(e.locations))] * bool(e.locations)
    notes += [("translator", c) for c in e.translator_comments]
    if e.fuzzy and e.previous_msgid is not None:
        notes.append(("previous-source", e.previous_msgid))
    if notes:
        lines.append("      <notes>")
        lines += [f'        <note category="{cat}">{escape(text)}</note>' for cat, text in notes]
        lines.append("      </notes>")
    if codes:
        lines.append("      <originalData>")
        for c in codes:
            if c.kind == "ph":
                lines.append(f'        <data id="d{c.id}">{escape(c.start)}</data>')
            else:
                lines.append(f'        <data id="d{c.id}s">{escape(c.start)}</data>')
                lines.append(f'        <data id="d{c.id}e">{escape(c.end)}</data>')
        lines.append("      </originalData>")
    lines.append(f'      <segment state="{_state(e)}">')
    lines.append(f'        <source xml:space="preserve">{_content_xml(src_tokens)}</source>')
    if e.msgstr:
        tt = _target_tokens(e.msgstr, codes, lang) if plain_ok else [("text", e.msgstr)]
        if tt is None:
            tt = [("text", e.msgstr)]  # markup the source does not have: sent as text, refused on import
        lines.append(f'        <target xml:space="preserve">{_content_xml(tt, with_data=True)}</target>')
    lines.append("      </segment>")
    lines.append("    </unit>")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- import

def _read_content(el, codes: dict[str, Code], unit: str, seen: list) -> str:
    """An XLIFF <source>/<target> (or <pc>) -> reportkit markup; records the code ids it meets."""
    out = [escape_markup(el.text or "")]
    for child in el:
        tag = child.tag.replace(_X, "")
        cid = child.get("id")
        if tag in ("ph", "pc"):
            code = codes.get(cid)
            if code is None or code.kind != tag:
                raise XliffError(f"unit {unit}: target has an inline code <{tag} id=\"{cid}\"> that its source does not have")
            seen.append(cid)
            if tag == "ph":
                out.append(code.start)
            else:
                out.append(code.start + _read_content(child, codes, unit, seen) + code.end)
        elif tag == "mrk":  # annotations (comments, terms) a tool may add: keep the text
            out.append(_read_content(child, codes, unit, seen))
        elif tag in ("sc", "ec", "sm", "em"):
            raise XliffError(f"unit {unit}: target splits an inline code (<{tag}>); keep each tag pair whole")
        else:
            raise XliffError(f"unit {unit}: unknown element <{tag}> in the target")
        out.append(escape_markup(child.tail or ""))
    return "".join(out)


def read_units(data: bytes, root: Path) -> tuple[str, list[tuple[Path, str, str, str, str]]]:
    """(target language, [(po path, unit id, state, target markup or None, problem with its codes or None)])."""
    from lxml import etree

    try:
        doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as e:
        raise XliffError(f"not well-formed XML: {e}")
    if doc.tag != _X + "xliff" or not doc.get("version", "").startswith("2."):
        raise XliffError("not an XLIFF 2 document (expected <xliff version=\"2.0\"> in the XLIFF 2.0 namespace)")
    lang = doc.get("trgLang")
    if not lang:
        raise XliffError("the <xliff> element has no trgLang")
    code = parse_locale(lang)
    out = []
    for f in doc.iter(_X + "file"):
        original = f.get("original") or ""
        path = (root / code.bcp47 / original).resolve()
        if ".." in Path(original).parts or not str(path).startswith(str((root / code.bcp47).resolve())) or path.suffix != ".po":
            raise XliffError(f"file {f.get('id')}: original=\"{original}\" is not a catalog under locales/{code.bcp47}/")
        for u in f.iter(_X + "unit"):
            uid = u.get("id")
            codes: dict[str, Code] = {}
            data_by_id = {d.get("id"): (d.text or "") for d in u.iter(_X + "data")}
            segs = list(u.iter(_X + "segment"))
            if len(segs) != 1:
                raise XliffError(f"unit {uid}: has {len(segs)} segments; reportkit units are one segment each (do not split or join segments)")
            seg = segs[0]
            src, tgt = seg.find(_X + "source"), seg.find(_X + "target")
            for el in src.iter(_X + "ph", _X + "pc"):
                cid = el.get("id")
                if el.tag == _X + "ph":
                    codes[cid] = Code(cid, "ph", data_by_id.get(el.get("dataRef"), ""))
                else:
                    codes[cid] = Code(cid, "pc", data_by_id.get(el.get("dataRefStart"), ""),
                                      data_by_id.get(el.get("dataRefEnd"), ""))
                codes[cid].deletable = el.get("canDelete", "yes") == "yes"
            _read_content(src, codes, uid, [])  # a source holding codes it does not declare is refused
            target, problem = None, None
            if tgt is not None and ("".join(tgt.itertext()).strip() or len(tgt)):
                seen: list = []
                target = _read_content(tgt, codes, uid, seen)
                missing = [c for c in codes.values() if c.id not in seen and not c.deletable]
                dupes = {c for c in seen if seen.count(c) > 1}
                if missing or dupes:
                    what = ", ".join(f"{c.start}{'…' + c.end if c.end else ''}" for c in missing)
                    problem = (f"unit {uid}: target's inline codes differ from the source's"
                               + (f" (missing {what})" if missing else "")
                               + (f" (repeated code {', '.join(sorted(dupes))})" if dupes else "")
                               + "; keep every tag of the source in the target")
            out.append((path, uid, seg.get("state", "initial"), target, problem))
    return code.bcp47, out


def import_file(xlf: Path, root: Path) -> list[tuple[Path, bool, int]]:
    """Write the targets of `xlf` into its catalogs. Returns (path, changed, units updated). Raises
    ReportError (nothing written) if any unit is refused."""
    try:
        lang, units = read_units(xlf.read_bytes(), root)
    except XliffError as e:
        raise ReportError([Diagnostic(Loc(shown_path(xlf)), str(e))])
    by_path: dict[Path, list] = {}
    for u in units:
        by_path.setdefault(u[0], []).append(u)
    problems, plans = [], []
    for path, todo in by_path.items():
        if not path.is_file():
            problems.append(Diagnostic(Loc(shown_path(xlf)), f"{shown_path(path)} does not exist: run `reportkit i18n update --lang {lang}` first"))
            continue
        cat = read_catalog(path)
        entries = {unit_id(path.stem, e.msgid): e for e in cat.active if e.msgctxt is None and e.msgid_plural is None}
        count = 0
        for _, uid, state, target, code_problem in todo:
            e = entries.get(uid)
            if e is None:
                problems.append(Diagnostic(Loc(shown_path(xlf)), f"unit {uid}: no entry of {shown_path(path)} has this id (its source "
                                                                 "changed since the export); export again and redo this unit"))
                continue
            if target is None:
                continue
            fuzzy = state not in ("reviewed", "final")
            same = _same_markup(target, e.msgstr)
            if same and e.fuzzy == fuzzy:
                continue
            problem = code_problem or _markup_problem(e.msgid, target, lang)
            if problem:
                problems.append(Diagnostic(Loc(shown_path(xlf)), problem if problem.startswith("unit ") else f"unit {uid}: {problem}"))
                continue
            if not same:
                e.msgstr = target
            e.fuzzy = fuzzy
            if not fuzzy:
                e.previous_msgid = None
            count += 1
        plans.append((path, cat, count))
    if problems:
        raise ReportError(problems)
    blobs = [(path, _dump(cat, path), count) for path, cat, count in plans if count]
    return [(path, _write_if_changed(path, blob), count) for path, blob, count in blobs]


def _same_markup(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return parse_inline(a) == parse_inline(b)
    except InlineError:
        return False


def _markup_problem(source: str, target: str, lang: str) -> str | None:
    from ..inline import placeholders

    try:
        src = parse_inline(source)
    except InlineError:
        return None  # figure text: plain
    try:
        got = parse_inline(target)
    except InlineError as e:
        return f"target markup cannot be read ({e})"
    if sorted(placeholders(src, lang)) != sorted(placeholders(got, lang)):
        return "target's inline codes differ from the source's; keep every tag of the source in the target"
    return None
