"""Report catalogs on disk: write templates (.pot), merge them into PO files, read translations back.

Layout: locales/templates/<report>/<part>.pot and locales/<lang>/<report>/<part>.po, one per content
file, so translators work chapter by chapter. Files are read and written by `i18n.po` (exact, GNU
gettext's canonical layout via `msgcat`: a round trip through msgcat makes no diff).

How `update` merges a catalog with the current content (each catalog only with its own content file;
a text that also appears in another chapter keeps each catalog's own translation):

1. Same text: the entry keeps its translation, flags and translator comments; locations and the
   context comment come from the content. An obsolete entry (`#~`) whose text is back is revived,
   translation and all (undoing a deletion gives back exactly what was there).
2. Undone edit: a fuzzy entry whose previous source (`#| msgid`) is the current text again comes back
   under that text (still fuzzy, for the translator to confirm).
3. Whitespace-only edit: when the text differs from an entry's only in whitespace (the same words
   after collapsing every run of spaces, tabs and newlines into one space and trimming the ends), the
   entry follows the text and keeps its translation *in the state it was*: a reviewed translation
   stays reviewed (not fuzzy, no `#|`), since readers see the same words. The build matches text the
   same way, so a whitespace-only edit never drops a translation, even before `update` runs. Removing
   or adding a space between two words is not whitespace-only ("AB" vs "A B").
4. Edited text: the most similar leftover translated entry (difflib ratio >= 0.6) is moved to the new
   text, marked fuzzy, with the source its translation was made for as the previous msgid (`#|`). An
   entry that was already fuzzy keeps its original previous msgid.
5. Anything else translated (or commented by a translator) that no text claims becomes obsolete
   (`#~`), at the end of the file; obsolete entries are kept, never dropped. Untranslated leftovers are
   dropped.

So a translation made for a source text S is only ever shown as the msgstr of msgid S (or of the same
words with other whitespace), as a fuzzy entry whose previous msgid is S, or as an obsolete entry of S.
"""
from __future__ import annotations

import difflib
import functools
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, Loc, ReportError, shown_path
from ..locales import parse_locale
from ..resolve import Resolved
from . import po as pofile
from .po import POEntry, POFile, POSyntaxError
from .units import catalog_name, units

WIDTH = pofile.WIDTH
FUZZY_CUTOFF = 0.6
# A translator's "I checked this warning" marks (see check.py): a translator comment
# `# reportkit: reviewed-numbers` (or reviewed-terms). A comment, not a `#,` flag: GNU msgcat, which
# gives catalogs their layout, drops flags it does not know. Dropped when the source text changes.
REVIEWED_FLAGS = ("reviewed-numbers", "reviewed-terms")
_REVIEWED = re.compile(r"^\s*reportkit:\s*(reviewed-[a-z]+(?:\s*,\s*reviewed-[a-z]+)*)\s*$")


def reviewed(entry: POEntry) -> set[str]:
    """The checks a person marked as reviewed on an entry: {"reviewed-numbers", ...}."""
    out = {f for f in entry.flags if f in REVIEWED_FLAGS}
    for c in entry.translator_comments:
        m = _REVIEWED.match(c)
        if m:
            out |= {x.strip() for x in m.group(1).split(",")}
    return out
_DROPPED_FLAGS = {"python-format", "python-brace-format", "no-python-format", "no-python-brace-format"}


def normalize(text: str) -> str:
    """The words of a text, whitespace collapsed: two texts with the same normal form differ only in
    whitespace (see rule 3 above)."""
    return " ".join(text.split())


@dataclass
class Entry:
    """A translation as localize needs it."""

    string: str
    fuzzy: bool
    loc: Loc


@dataclass
class Translations:
    """Every catalog of one language of one report, read for the build.

    `lookup(catalog, source)`: the entry of `source` in its own catalog (named after the content file,
    `units.catalog_name`) when that entry has a translation (reviewed or fuzzy); else a reviewed
    translation of the same text from another catalog of the report (then a fuzzy one); else the own
    untranslated entry, or None. Text is matched exactly first, then with whitespace collapsed."""

    catalogs: dict[str, dict[str, Entry]] = field(default_factory=dict)  # catalog -> msgid -> Entry
    _norm: dict[str, dict[str, Entry]] = field(default_factory=dict)

    def add(self, catalog: str, msgid: str, entry: Entry) -> None:
        self.catalogs.setdefault(catalog, {}).setdefault(msgid, entry)
        self._norm.setdefault(catalog, {}).setdefault(normalize(msgid), entry)

    def _own(self, catalog: str, source: str) -> list[Entry]:
        found = [self.catalogs.get(catalog, {}).get(source), self._norm.get(catalog, {}).get(normalize(source))]
        return [e for e in found if e is not None]

    def lookup(self, catalog: str | None, source: str) -> Entry | None:
        own = self._own(catalog, source) if catalog is not None else []
        for e in own:
            if e.string:
                return e
        others = [e for name in self.catalogs if name != catalog for e in self._own(name, source)]
        for e in others:
            if e.string and not e.fuzzy:
                return e
        for e in others:
            if e.string:
                return e
        return (own or others or [None])[0]

    def get(self, source: str, default=None) -> Entry | None:
        """The first catalog's entry of `source` that has a translation (catalogs in name order)."""
        return self.lookup(None, source) or default

    def __contains__(self, source: str) -> bool:
        return self.get(source) is not None

    def __len__(self) -> int:
        return sum(len(c) for c in self.catalogs.values())


def locales_root(report_folder: Path) -> Path:
    """locales/ beside content/ (the project root), so catalogs and content travel together."""
    return report_folder.resolve().parent.parent / "locales"


def _stamp(resolved: Resolved) -> str:
    return resolved.report.meta.date.isoformat() + " 00:00+0000"


def templates(resolved: Resolved) -> dict[str, list[POEntry]]:
    """part name -> that content file's units as template entries, in reading order; the text of the
    report's SVG figures goes to the part `figures` (see `i18n.figures`)."""
    from .figures import CATALOG, figure_texts

    report = resolved.report
    out: dict[str, dict[str, POEntry]] = {}

    def put(name: str, msgid: str, comments: list[str], location: str) -> None:
        cat = out.setdefault(name, {})
        if msgid in cat:
            if location not in cat[msgid].locations:
                cat[msgid].locations.append(location)  # one context comment is enough
        else:
            cat[msgid] = POEntry(msgid=msgid, auto_comments=comments, locations=[location])

    project = report.folder.resolve().parent.parent

    @functools.lru_cache(maxsize=None)  # a few files, hundreds of units
    def where(file) -> str:  # relative to the project root (X-Poedit-Basepath), wherever reportkit runs
        try:
            return Path(file).resolve().relative_to(project).as_posix()
        except ValueError:
            return shown_path(file)

    for unit in units(resolved):
        put(catalog_name(unit.file, report.folder), unit.rich.source, unit.comments(),
            f"{where(unit.file)}:{unit.rich.loc.line}")
    for ft in figure_texts(resolved):
        put(CATALOG, ft.text, [ft.context, f"HTML anchor: #{ft.anchor}"], f"{where(ft.file)}:{ft.line}")
    return {name: list(cat.values()) for name, cat in out.items()}


def team_name(lang) -> str:
    """The language team as Weblate and Poedit show it, naming the region: "Chinese (Traditional, Taiwan)"."""
    from babel import Locale

    try:
        return Locale.parse(lang.babel).get_display_name("en")
    except Exception:  # noqa: BLE001 - a name is only a courtesy
        return lang.bcp47


# Header fields written by older versions that carried no information: replaced by today's defaults
# on update. Anything a translator or a tool wrote (Last-Translator, Language-Team...) is kept.
_OLD_DEFAULTS = {"Language-Team": (lambda lang: {f"{lang.bcp47} <>", "", "LANGUAGE <LL@li.org>"}, lambda lang: f"{team_name(lang)} <>"),
                 "Last-Translator": (lambda lang: {"FULL NAME <EMAIL@ADDRESS>"}, lambda lang: "")}
POEDIT_BASEPATH = "../../.."  # from locales/<lang>/<report>/ to the project root, where #: paths start


def _header(resolved: Resolved, name: str, lang=None) -> POEntry:
    report = resolved.report
    stamp = _stamp(resolved)
    project = f"{report.id} ({name})"
    org = report.meta.organization.plain()
    year = report.meta.date.year
    first = f"{lang.bcp47} translations for {project}." if lang else f"Translations template for {project}."
    fields = [("Project-Id-Version", f"{project} {report.meta.date.isoformat()}"),
              ("Report-Msgid-Bugs-To", ""),
              ("POT-Creation-Date", stamp),
              ("PO-Revision-Date", stamp if lang else "YEAR-MO-DA HO:MI+ZONE"),
              ("Last-Translator", "" if lang else "FULL NAME <EMAIL@ADDRESS>"),
              ("Language-Team", f"{team_name(lang)} <>" if lang else "LANGUAGE <LL@li.org>")]
    if lang:
        fields += [("Language", lang.gettext), ("Plural-Forms", "nplurals=1; plural=0;")
                   if lang.gettext.split("_")[0] in ("zh", "ja", "ko", "vi", "th") else ("Plural-Forms", "nplurals=2; plural=(n != 1);")]
    fields += [("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
               ("Content-Transfer-Encoding", "8bit")]
    if lang:
        fields += _poedit_fields(lang)
    comments = [first, f"Copyright (C) {year} {org}",
                f"This file is distributed under the same license as the {project} project.", ""]
    return POEntry(msgid="", msgstr="".join(f"{k}: {v}\n" for k, v in fields), translator_comments=comments)


def _poedit_fields(lang) -> list[tuple[str, str]]:
    """Poedit's own headers: where the #: paths start (the project root), and the source texts' charset.
    Poedit and Weblate read the locale from `Language` (zh_Hant, gettext's spelling); the region
    (Taiwan) is named in Language-Team, and Babel's CLDR data is asked for zh_Hant_TW."""
    return [("X-Poedit-Basepath", POEDIT_BASEPATH), ("X-Poedit-SourceCharset", "UTF-8")]


def refresh_header(header: POEntry, resolved: Resolved, lang) -> None:
    """Bring an existing header up to date without losing what people wrote in it: the creation date
    follows the content; Last-Translator, Language-Team, PO-Revision-Date and the rest stay, except
    the empty defaults older versions wrote; Poedit's fields are added when missing."""
    _set_header_field(header, "POT-Creation-Date", _stamp(resolved))
    fields = {}
    for line in header.msgstr.split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    for key, (olds, today) in _OLD_DEFAULTS.items():
        if key in fields and fields[key] in olds(lang):
            _set_header_field(header, key, today(lang))
    for key, value in _poedit_fields(lang):
        if key not in fields:
            _set_header_field(header, key, value)


def _set_header_field(header: POEntry, key: str, value: str) -> None:
    lines = header.msgstr.split("\n")
    for i, line in enumerate(lines):
        if line.partition(":")[0].strip() == key:
            lines[i] = f"{key}: {value}"
            header.msgstr = "\n".join(lines)
            return
    header.msgstr = header.msgstr + ("" if header.msgstr.endswith("\n") or not header.msgstr else "\n") + f"{key}: {value}\n"


def _dump(po: POFile, path: Path) -> bytes:
    try:
        return pofile.dump(po)
    except RuntimeError as e:
        raise ReportError([Diagnostic(Loc(shown_path(str(path))), f"{e}; nothing was written")])


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a crash never leaves half a catalog
    return True


def template_bytes(resolved: Resolved) -> dict[str, bytes]:
    """part -> the bytes `extract` writes for its template."""
    return {name: _dump(POFile(_header(resolved, name), entries), Path(f"{name}.pot"))
            for name, entries in templates(resolved).items()}


def extract(resolved: Resolved, root: Path | None = None) -> list[Path]:
    root = root or locales_root(resolved.report.folder)
    written = []
    for name, data in template_bytes(resolved).items():
        path = root / "templates" / resolved.report.id / f"{name}.pot"
        _write_if_changed(path, data)
        written.append(path)
    return written


def read_catalog(path: Path, data: bytes | None = None) -> POFile:
    """Read a PO file (entries keep their msgid line in .lineno), or `data` read from it. Raises
    ReportError with file:line."""
    try:
        return pofile.parse((path.read_bytes() if data is None else data).decode("utf-8"))
    except POSyntaxError as e:
        raise ReportError([Diagnostic(Loc(shown_path(str(path)), e.lineno),
                                      f"invalid PO syntax: {e.message}; fix the entry or restore it from git")])
    except UnicodeDecodeError as e:
        raise ReportError([Diagnostic(Loc(shown_path(str(path))), f"unreadable catalog: {e}; catalogs are UTF-8")])


def merge(existing: POFile, template: list[POEntry]) -> POFile:
    """The catalog `existing` brought up to date with `template` (rules 1-5 of the module docstring)."""
    # Every existing entry once per msgid: an active one wins over an obsolete copy (catalogs written by
    # older versions could hold both, which msgfmt rejects); the copy lends its translation if needed.
    pool: dict[str, POEntry] = {}
    for e in existing.entries:
        if e.msgctxt is not None or e.msgid_plural is not None:
            continue  # reportkit never writes these; kept below as they are
        have = pool.get(e.msgid)
        if have is None:
            pool[e.msgid] = e
        elif have.obsolete and not e.obsolete:
            if not e.translated and have.translated:
                e.msgstr, e.flags, e.previous_msgid = have.msgstr, have.flags, have.previous_msgid
            pool[e.msgid] = e
        elif not have.translated and e.translated:
            have.msgstr, have.flags, have.previous_msgid = e.msgstr, e.flags, e.previous_msgid
    others = [e for e in existing.entries if e.msgctxt is not None or e.msgid_plural is not None]

    matched: dict[str, POEntry] = {}  # template msgid -> existing entry it takes over
    left = dict(pool)  # msgid -> entry not taken yet (insertion order: active first as in the file)

    def take(msgid: str, e: POEntry) -> None:
        matched[msgid] = e
        del left[e.msgid]

    wanted = [t.msgid for t in template]
    for m in wanted:  # 1. same text (revives obsolete entries)
        if m in left:
            take(m, left[m])
    for m in wanted:  # 2. an undone edit: the previous source is the text again
        if m in matched:
            continue
        for e in list(left.values()):
            if e.fuzzy and e.previous_msgid == m and e.translated:
                take(m, e)
                e.previous_msgid = None
                break
    for m in wanted:  # 3. whitespace-only edit
        if m in matched:
            continue
        key = normalize(m)
        for e in list(left.values()):
            if normalize(e.msgid) == key:
                take(m, e)
                break
    for m in wanted:  # 4. edited text: fuzzy match among leftover translations
        if m in matched:
            continue
        candidates = {e.msgid: e for e in left.values() if e.translated}
        best = difflib.get_close_matches(m, list(candidates), n=1, cutoff=FUZZY_CUTOFF)
        if best:
            e = candidates[best[0]]
            take(m, e)
            e.flags = [f for f in e.flags if f not in REVIEWED_FLAGS]  # a review of the old text lapses
            e.translator_comments = [c for c in e.translator_comments if not _REVIEWED.match(c)]
            if not e.fuzzy or e.previous_msgid is None:
                e.previous_msgid = e.msgid
            e.fuzzy = True

    out = POFile(existing.header)
    for t in template:
        e = matched.get(t.msgid)
        if e is None:
            out.entries.append(POEntry(msgid=t.msgid, auto_comments=list(t.auto_comments), locations=list(t.locations)))
            continue
        flags = [f for f in e.flags if f not in _DROPPED_FLAGS]
        out.entries.append(POEntry(msgid=t.msgid, msgstr=e.msgstr, translator_comments=list(e.translator_comments),
                                   auto_comments=list(t.auto_comments), locations=list(t.locations), flags=flags,
                                   previous_msgid=e.previous_msgid if "fuzzy" in flags else None))
    for e in list(left.values()) + others:
        if not e.translated and not e.translator_comments and e.msgid_plural is None:
            continue
        flags = [f for f in e.flags if f not in _DROPPED_FLAGS]
        out.entries.append(POEntry(msgid=e.msgid, msgstr=e.msgstr, msgctxt=e.msgctxt, msgid_plural=e.msgid_plural,
                                   msgstr_plural=dict(e.msgstr_plural), translator_comments=list(e.translator_comments),
                                   flags=flags, previous_msgid=e.previous_msgid if "fuzzy" in flags else None,
                                   previous_msgctxt=e.previous_msgctxt, obsolete=True))
    return out


def _merge_blockers(path: Path) -> list:
    """msgfmt's complaints that make merging unsafe. Duplicate definitions are not among them: older
    versions wrote an obsolete copy beside a revived entry, and the merge folds the two together."""
    out = []
    for d in syntax_errors([path]):
        if "duplicate message definition" in d.message or "location of the first definition" in d.message:
            continue
        out.append(d)
    return out


def update(resolved: Resolved, lang: str, root: Path | None = None) -> list[tuple[Path, bool]]:
    """Create or merge locales/<lang>/<report>/*.po from the current content. Returns (path, changed)."""
    code = parse_locale(lang)
    root = root or locales_root(resolved.report.folder)
    folder = root / code.bcp47 / resolved.report.id
    result = []
    tmpls = templates(resolved)
    existing = {p.stem for p in folder.glob("*.po")} if folder.is_dir() else set()
    todo = []
    for name in sorted(set(tmpls) | existing):  # read (and refuse) everything before writing anything
        path = folder / f"{name}.po"
        if path.is_file():
            broken = _merge_blockers(path)
            if broken:  # merging would rewrite the file without the entries that could not be read
                raise ReportError(broken)
            cat = read_catalog(path)
        else:
            cat = POFile()
        todo.append((name, path, cat))
    data = []
    for name, path, cat in todo:
        if cat.header is None:
            cat.header = _header(resolved, name, code)
        else:
            refresh_header(cat.header, resolved, code)
        data.append((path, _dump(merge(cat, tmpls.get(name, [])), path)))
    for path, blob in data:
        result.append((path, _write_if_changed(path, blob)))
    return result


def catalog_files(report_id: str, lang: str, root: Path) -> list[Path]:
    code = parse_locale(lang)
    folder = root / code.bcp47 / report_id
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


def syntax_errors(paths: list[Path]) -> list:
    """PO syntax errors as Diagnostics, from GNU msgfmt, else from our own reader."""
    if not paths:
        return []
    if not shutil.which("msgfmt"):
        out = []
        for p in paths:
            try:
                read_catalog(p)
            except ReportError as e:
                out.extend(e.diagnostics)
        return out
    out = []
    for p in paths:  # one file at a time: msgfmt merges several into one catalog
        for line, col, message in _msgfmt_errors(p):
            out.append(Diagnostic(Loc(shown_path(p), line, col),
                                  f"invalid PO syntax: {message}; fix the entry or restore it from git"))
    return out


def _msgfmt_errors(path: Path) -> list:
    """(line, col, message) of each error GNU msgfmt finds in the file. A pure function of its bytes and
    the msgfmt installed, kept in the user cache: a build and `check` read every catalog."""
    import json

    from .. import cache

    exe = shutil.which("msgfmt")
    data = path.read_bytes()

    def run() -> bytes:
        # msgfmt reads the bytes given, so a file rewritten meanwhile cannot be checked in its other form
        r = subprocess.run([exe, "-o", "/dev/null", "-"], input=data, capture_output=True)
        found = []
        for line in r.stderr.decode("utf-8", "replace").splitlines():
            m = re.match(r"^(?:.*?):(\d+):(?:(\d+):)? (.+)$", line)
            if m and "warning" not in m.group(3):
                found.append((int(m.group(1)), int(m.group(2) or 0), m.group(3)))
        if r.returncode != 0 and not found:
            found.append((0, 0, r.stderr.decode("utf-8", "replace").strip() or "msgfmt failed"))
        return json.dumps(found).encode()

    return [tuple(x) for x in json.loads(cache.kept("msgfmt", (*cache.stat_key(exe), data), run))]


def load_translations(report_id: str, lang: str, root: Path) -> Translations:
    """Every active entry of the language's catalogs (obsolete ones are not used), by catalog.
    A catalog with a syntax error stops the build: its entries would be lost silently."""
    paths = catalog_files(report_id, lang, root)
    errors = syntax_errors(paths)
    if errors:
        raise ReportError(errors)
    out = Translations()
    for path in paths:
        shown = shown_path(str(path))
        for msg in read_catalog(path).active:
            if msg.msgid and msg.msgctxt is None and msg.msgid_plural is None:
                out.add(path.stem, msg.msgid, Entry(msg.msgstr, msg.fuzzy, Loc(shown, msg.lineno)))
    return out


def per_catalog_counts(resolved: Resolved, lang: str, root: Path) -> dict:
    """part -> counts of translated / fuzzy / untranslated entries and source words."""
    code = parse_locale(lang)
    stats: dict = defaultdict(lambda: {"translated": 0, "fuzzy": 0, "untranslated": 0,
                                       "words_translated": 0, "words_fuzzy": 0, "words_untranslated": 0})
    translations = load_translations(resolved.report.id, code.bcp47, root)
    for name, entries in templates(resolved).items():
        s = stats[name]
        for msg in entries:
            words = len(msg.msgid.split())
            e = translations.lookup(name, msg.msgid)
            state = "untranslated" if e is None or not e.string else ("fuzzy" if e.fuzzy else "translated")
            s[state] += 1
            s["words_" + state] += words
    return dict(stats)
