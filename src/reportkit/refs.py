"""`reportkit refs import FILE`: merge a CSL-JSON or BibTeX export into a report's references file.

The export is read with citations.py's readers. An entry already in the report (same id, DOI, URL, or
title + year + first author) is reported and left out; the same id for another source is a conflict and
is left out too. New entries are appended after the existing ones, whose bytes are kept, in the target's
own format, and the file is replaced atomically. A report without `references:` gets references.json
and one line in report.yaml.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import citations
from .errors import Collector, Diagnostic, Loc, ReportError, shown_path

DEFAULT_FILE = "references.json"


@dataclass
class Entry:
    key: str
    item: dict  # CSL-JSON, as citations.py reads it
    loc: Loc
    bib: dict | None = None  # the BibTeX entry as bibtexparser read it (written as is into a .bib file)


def _fail(loc: Loc, message: str):
    raise ReportError([Diagnostic(loc, message)])


def read_entries(path: Path, shown: str) -> list[Entry]:
    """Every entry of a CSL-JSON or BibTeX file, in file order, duplicates included; malformed input raises."""
    c = Collector()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        _fail(Loc(shown), f"cannot read the references file: {e}; export it again as UTF-8")
    found = citations.parse(text, path.suffix.lower(), shown, c)
    c.raise_if_errors()
    return [Entry(key, item, loc, bib) for key, item, loc, bib in found]


# ---- what makes two entries the same source ----

def _words(s) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", str(s or "")).casefold()))


def _doi(item: dict) -> str:
    doi = str(item.get("DOI") or "").strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi)


def _url(item: dict) -> str:
    url = str(item.get("URL") or "").strip()
    if not url:
        return ""
    p = urlsplit(url)
    return urlunsplit((p.scheme.lower(), p.netloc.lower(), p.path.rstrip("/"), p.query, p.fragment))


def _work(item: dict) -> tuple | None:
    """(title, year, first author's family name), normalized; None without a title or a year."""
    title = _words(item.get("title"))
    try:
        year = int((item.get("issued") or {})["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        year = None
    if not title or year is None:
        return None
    authors = item.get("author") or [{}]
    first = authors[0] if isinstance(authors[0], dict) else {}
    return title, year, _words(first.get("family") or first.get("literal"))


def same_source(a: dict, b: dict) -> str | None:
    """Why `a` and `b` are the same source ("same DOI", …), or None."""
    if _doi(a) and _doi(a) == _doi(b):
        return "same DOI"
    if _url(a) and _url(a) == _url(b):
        return "same URL"
    if _work(a) is not None and _work(a) == _work(b):
        return "same title, year and first author"
    if {k: v for k, v in a.items() if k != "id"} == {k: v for k, v in b.items() if k != "id"}:
        return "same fields"
    return None


@dataclass
class Plan:
    added: list  # Entry
    lines: list  # one per entry not added, in file order
    duplicates: int = 0
    conflicts: int = 0


def plan(incoming: list[Entry], existing: list[Entry]) -> Plan:
    """Which incoming entries are new; each other one is a duplicate or a conflict of an existing one or
    of an earlier entry of the same file."""
    p = Plan([], [])
    pool = list(existing)
    for e in incoming:
        same_id = next((o for o in pool if o.key == e.key), None)
        if same_id is not None:
            why = same_source(e.item, same_id.item)
            if why is None:
                p.conflicts += 1
                p.lines.append(f'{e.loc}: "{e.key}" is already in {same_id.loc} for another source; not added: '
                                   "rename the key in the export and import again")
            else:
                p.duplicates += 1
                p.lines.append(f'{e.loc}: "{e.key}" is already in {same_id.loc} as "{same_id.key}" (same id, {why}); not added')
            continue
        twin = next(((o, why) for o in pool for why in [same_source(e.item, o.item)] if why), None)
        if twin is not None:
            o, why = twin
            p.duplicates += 1
            p.lines.append(f'{e.loc}: "{e.key}" is already in {o.loc} as "{o.key}" ({why}); not added')
            continue
        p.added.append(e)
        pool.append(e)
    return p


# ---- writing the target's own format ----

def _json_style(text: str) -> dict:
    """How an existing CSL-JSON list is laid out: item indent, key indent, nested values inline or not."""
    nl = "\r\n" if "\r\n" in text else "\n"
    style = {"nl": nl, "item": "  ", "key": "    ", "inline": True, "colon": ": ",
             "ascii": text.isascii() and "\\u" in text, "one_line": False, "split": True}
    m = re.search(r"\[([ \t]*\r?\n)?([ \t]*)\{", text)
    if not m:
        return style
    style["split"] = bool(m.group(1))  # items start on lines of their own
    style["item"] = m.group(2)
    start = m.end() - 1
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        return style
    first = text[start:end]
    k = re.search(r"\{[ \t]*\r?\n([ \t]*)\"", first)
    if not k:
        style["one_line"] = True
        return style
    style["key"] = k.group(1)
    style["colon"] = ": " if re.search(r'"\s*:\s', first) else ":"
    # nested values written out over several lines: a line indented deeper than the keys
    style["inline"] = not re.search(r"\n" + re.escape(k.group(1)) + r"[ \t]+\S", first)
    return style


def _json_item(item: dict, s: dict) -> str:
    def dumps(v, **kw) -> str:
        return json.dumps(v, ensure_ascii=s["ascii"], **kw)

    if s["one_line"]:
        return s["item"] + dumps(item, separators=(", ", s["colon"]))
    if s["inline"]:
        body = ("," + s["nl"]).join(f'{s["key"]}{dumps(k)}{s["colon"]}{dumps(v, separators=(", ", s["colon"]))}'
                                    for k, v in item.items())
        return f'{s["item"]}{{{s["nl"]}{body}{s["nl"]}{s["item"]}}}'
    unit = s["key"][len(s["item"]):] or "  "
    lines = dumps(item, indent=unit, separators=(",", s["colon"])).split("\n")
    return s["nl"].join(s["item"] + line for line in lines)


def json_text(old: str | None, items: list[dict]) -> str:
    """`old` (a CSL-JSON list) with `items` appended before its closing bracket, in its layout."""
    fresh = old is None or not old.strip() or json.loads(old) in ([], {"items": []})
    if fresh:
        s = _json_style("")
        return "[\n" + ",\n".join(_json_item(i, s) for i in items) + "\n]\n"
    s = _json_style(old)
    close = old.rstrip().rfind("]")
    cut = len(old[:close].rstrip())
    sep = s["nl"] if s["split"] else " "
    added = "".join("," + sep + _json_item(i, s) for i in items)
    return old[:cut] + added + old[cut:]


_CSL_TO_BIB_TYPE = {csl: bib for bib, csl in citations.BIB_TYPES} | {"article-newspaper": "article", "article-magazine": "article"}
_CSL_TO_BIB_FIELD = {csl: bib for bib, csl in citations.BIB_FIELDS} | {"language": "langid"}


def _csl_to_bib(item: dict) -> dict:
    """A CSL-JSON item as a BibLaTeX entry (checked by reading it back: see bib_text's callers)."""
    kind = str(item.get("type") or "")
    e = {"ENTRYTYPE": _CSL_TO_BIB_TYPE.get(kind, "misc"), "ID": str(item.get("id"))}
    if kind in ("article-newspaper", "article-magazine"):
        e["entrysubtype"] = kind.split("-")[1]
    for csl, bib in _CSL_TO_BIB_FIELD.items():
        if isinstance(item.get(csl), (str, int)):
            e[bib] = str(item[csl])
    for role in ("author", "editor", "translator"):
        names = item.get(role)
        if isinstance(names, list) and names:
            e[role] = " and ".join(f'{{{n.get("literal")}}}' if n.get("literal") else f'{n.get("family", "")}, {n.get("given", "")}'
                                   for n in names if isinstance(n, dict))
    for csl, bib in (("issued", "date"), ("accessed", "urldate")):
        try:
            parts = item[csl]["date-parts"][0]
            e[bib] = "-".join(f"{int(x):02d}" if i else str(int(x)) for i, x in enumerate(parts))
        except (KeyError, IndexError, TypeError, ValueError):
            pass
    return e


def bib_text(old: str | None, entries: list[dict]) -> str:
    """`old` with `entries` (bibtexparser dicts) written after it by bibtexparser."""
    from bibtexparser.bibdatabase import BibDatabase
    from bibtexparser.bwriter import BibTexWriter

    db = BibDatabase()
    db.entries = entries
    w = BibTexWriter()
    w.indent, w.order_entries_by = "  ", None
    body = w.write(db).strip() + "\n"
    old = old or ""
    nl = "\r\n" if "\r\n" in old else "\n"
    if old and not old.endswith("\n"):
        old += nl
    return old + (nl if old.strip() else "") + body.replace("\n", nl)


def _read_text(text: str, suffix: str, shown: str) -> dict:
    """The items of a references file's text, through citations.py's reader: key -> CSL-JSON item."""
    c = Collector()
    found = citations.parse(text, suffix, shown, c)
    return {} if c.errors else {key: item for key, item, _, _ in found}


# ---- the command ----

def _report_references(folder: Path):
    """(names in `references:`, the Loc of the key or of report.yaml, the report.yaml text)."""
    from .yamlsrc import YMap, YStr, loc_of, read_yaml

    path = folder / "report.yaml"
    shown = shown_path(path)
    if not path.is_file():
        _fail(Loc(shown_path(folder)), "no report.yaml here; give a report folder (content/<report>)")
    m = read_yaml(path, shown, as_written=True)
    if not isinstance(m, YMap):
        _fail(Loc(shown, 1), "report.yaml is a mapping of settings; run `reportkit check` for details")
    if "references" not in m:
        return [], Loc(shown), path
    value = m["references"]
    loc = m.key_locs.get("references", m.loc)
    names = [value] if isinstance(value, YStr) else value if isinstance(value, list) else []
    if not names or not all(isinstance(n, YStr) for n in names):
        _fail(loc, '"references" names the references file(s), e.g. references: references.json; fix it, then import')
    for n in names:  # the loader's rule: an import never writes outside the report folder
        if not (folder / str(n)).resolve().is_relative_to(folder.resolve()):
            _fail(loc_of(n, loc), f'"{n}" is outside the report folder; keep files inside {shown_path(folder)}')
    return [str(n) for n in names], loc_of(value, loc), path


def _add_to_report_yaml(path: Path, name: str) -> bytes:
    """report.yaml's text with `references: NAME` added before `chapters:` (else at the end); the rest unchanged."""
    import yaml

    old = path.read_bytes().decode("utf-8")
    nl = "\r\n" if "\r\n" in old else "\n"
    line = f"references: {name}{nl}"
    m = re.search(r"^chapters\s*:", old, re.M)
    new = old[:m.start()] + line + old[m.start():] if m else old + ("" if old.endswith("\n") or not old else nl) + line
    if yaml.safe_load(new) != {**(yaml.safe_load(old) or {}), "references": name}:
        _fail(Loc(shown_path(path)), f"cannot add `references: {name}` to report.yaml safely; add that line yourself, then import")
    return new.encode("utf-8")


def import_file(folder: Path, file: Path, file_shown: str, into: str | None = None, dry_run: bool = False) -> list[str]:
    """Merge `file` into the report's references; returns the lines to print (the summary last).
    Errors (malformed input, a bad --into, an entry the target format cannot hold) raise ReportError."""
    from .artifacts import atomic_write

    if not file.is_file():
        _fail(Loc(file_shown), "file not found; give a CSL-JSON (.json) or BibTeX (.bib) export")
    if file.suffix.lower() not in (".json", ".bib", ".bibtex"):
        _fail(Loc(file_shown), "import a CSL-JSON (.json) or BibTeX/BibLaTeX (.bib) export")
    names, names_loc, report_yaml = _report_references(folder)
    if into is not None and names and into not in names:
        _fail(names_loc, f'--into {into}: not one of the report\'s references files ({", ".join(names)}); '
                         "name one of them, or add it to references: first")
    if into is not None and (Path(into).name != into or into.startswith(".")):
        _fail(Loc(shown_path(report_yaml)), f"--into {into}: give a file name in the report folder, e.g. references.json")
    target_name = into or (names[0] if names else DEFAULT_FILE)
    target = folder / target_name
    suffix = ".json" if target.suffix.lower() == ".json" else ".bib" if target.suffix.lower() in (".bib", ".bibtex") else ""
    if not suffix:
        _fail(names_loc, f"{target_name}: a references file is CSL-JSON (.json) or BibTeX (.bib)")
    incoming = read_entries(file, file_shown)
    c = Collector()
    paths = [(folder / n, shown_path(folder / n)) for n in names if (folder / n).is_file()]
    if target.is_file() and target_name not in names:
        paths.append((target, shown_path(target)))
    library = citations.read(paths, c)
    if c.errors:  # merging into a file reportkit cannot read would hide its problems
        raise ReportError(c.errors)
    existing = [Entry(k, library.items[k], library.locs[k]) for k in library.items]
    p = plan(incoming, existing)

    # bytes decoded as they are: read_text would turn CRLF into LF
    old = target.read_bytes().decode("utf-8") if target.is_file() else None
    if suffix == ".json":
        new_items = [e.item for e in p.added]
        text = json_text(old, new_items) if new_items else old
    else:
        lossy = []
        for e in p.added:
            if e.bib is None:
                back = _read_text(bib_text(None, [_csl_to_bib(e.item)]), ".bib", file_shown).get(e.key)
                lost = sorted(k for k in set(e.item) | set(back or {}) if (back or {}).get(k) != e.item.get(k))
                if lost:
                    lossy.append(Diagnostic(e.loc, f'"{e.key}" cannot be written as BibTeX without changing {", ".join(lost)}; '
                                                   "import it into a CSL-JSON references file (--into NAME.json)"))
        if lossy:
            raise ReportError(lossy)
        new_entries = [e.bib if e.bib is not None else _csl_to_bib(e.item) for e in p.added]
        text = bib_text(old, new_entries) if new_entries else old
    if p.added:  # what is written reads back as the old entries plus the new ones, or nothing is written
        back = _read_text(text, suffix, shown_path(target))
        before = _read_text(old, suffix, shown_path(target)) if old and old.strip() else {}
        if back != {**before, **{e.key: e.item for e in p.added}}:
            _fail(Loc(shown_path(target)), f"cannot append to {target_name} without changing it; import into another references file with --into")

    lines = list(p.lines)
    verb = "would add" if dry_run else "added"
    if dry_run:
        lines += [f'{e.loc}: would add "{e.key}"' for e in p.added]
    summary = f"{verb} {len(p.added)} reference{'s' * (len(p.added) != 1)} to {shown_path(target)}"
    if p.duplicates:
        summary += f"; {p.duplicates} duplicate{'s' * (p.duplicates != 1)} not added"
    if p.conflicts:
        summary += f"; {p.conflicts} conflict{'s' * (p.conflicts != 1)} not added (rename the keys in the export)"
    yaml_bytes = None
    if not names and p.added:
        yaml_bytes = _add_to_report_yaml(report_yaml, target_name)
        summary += f"; {'would add' if dry_run else 'added'} `references: {target_name}` to {shown_path(report_yaml)}"
    if p.added:
        summary += "; cite them in a note with [cite: KEY]"
    if not dry_run and p.added:
        atomic_write(target, text.encode("utf-8"))
        if yaml_bytes is not None:
            atomic_write(report_yaml, yaml_bytes)
    return lines + [summary]
