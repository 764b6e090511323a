"""Report catalogs on disk: write templates (.pot), merge them into PO files, read translations back.

Layout: locales/templates/<report>/<part>.pot and locales/<lang>/<report>/<part>.po, one per content
file, so translators work chapter by chapter. Merging is Babel's Catalog.update: fuzzy matching,
previous msgids (#|) and obsolete entries (#~) come with it.
"""
from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from ..errors import Diagnostic, Loc, ReportError
from ..locales import parse_locale
from ..resolve import Resolved
from .units import catalog_name, units

WIDTH = 79  # Babel's default; fixed so reruns are byte-identical


@dataclass
class Entry:
    """A translation as localize needs it."""

    string: str
    fuzzy: bool
    loc: Loc


def locales_root(report_folder: Path) -> Path:
    """locales/ beside content/ (the project root), so catalogs and content travel together."""
    return report_folder.resolve().parent.parent / "locales"


def _stamp(resolved: Resolved) -> datetime.datetime:
    d = resolved.report.meta.date
    return datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc)


def templates(resolved: Resolved) -> dict[str, Catalog]:
    """part name -> template catalog of that content file's units."""
    report = resolved.report
    out: dict[str, Catalog] = {}
    for unit in units(resolved):
        name = catalog_name(unit.file, report.folder)
        cat = out.get(name)
        if cat is None:
            cat = out[name] = Catalog(project=f"{report.id} ({name})", version=report.meta.date.isoformat(),
                                      copyright_holder=report.meta.organization.plain(), charset="utf-8",
                                      creation_date=_stamp(resolved), revision_date=_stamp(resolved), fuzzy=False)
            cat.msgid_bugs_address = ""
        line = unit.rich.loc.line
        location = (shown_path(unit.file), line)
        if unit.rich.source in cat:
            msg = cat[unit.rich.source]
            msg.locations.append(location)  # one context comment is enough; Babel merges several unstably
        else:
            cat.add(unit.rich.source, locations=[location], auto_comments=[unit.context])
    return out


def shown_path(file) -> str:
    """A path as diagnostics print it: relative to the current folder when inside it."""
    p = Path(file)
    try:
        return p.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.as_posix()


def _dump(catalog: Catalog) -> bytes:
    # Babel guesses "python-format" for any text with a % sign ("30% of"); report text is never a
    # format string, and the guess makes msgfmt --check reject natural translations.
    for msg in list(catalog) + list(catalog.obsolete.values()):
        msg.flags.discard("python-format")
        msg.flags.discard("python-brace-format")
    buf = io.BytesIO()
    write_po(buf, catalog, width=WIDTH, sort_output=False, include_previous=True, ignore_obsolete=False)
    return buf.getvalue()


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a crash never leaves half a catalog
    return True


def extract(resolved: Resolved, root: Path | None = None) -> list[Path]:
    root = root or locales_root(resolved.report.folder)
    written = []
    for name, cat in templates(resolved).items():
        path = root / "templates" / resolved.report.id / f"{name}.pot"
        _write_if_changed(path, _dump(cat))
        written.append(path)
    return written


def _restore_previous(catalog: Catalog) -> Catalog:
    """Babel writes previous msgids (#| msgid "...") but reads them back as translator comments;
    move them back, so a merge keeps showing the old source and a rerun is byte-identical."""
    import ast

    for msg in list(catalog) + list(catalog.obsolete.values()):
        previous, kept = [], []
        for comment in msg.user_comments:
            body = comment.lstrip()
            if body.startswith("| msgid ") or (previous and body.startswith('| "')):
                part = body[len("| msgid "):] if body.startswith("| msgid ") else body[2:]
                try:
                    previous.append(ast.literal_eval(part.strip()))
                except (ValueError, SyntaxError):
                    kept.append(comment)
            else:
                kept.append(comment)
        if previous:
            msg.user_comments = kept
            msg.previous_id = ["".join(previous)]
    return catalog


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    try:
        with path.open("rb") as f:
            return _restore_previous(read_po(f, locale=locale, abort_invalid=True))
    except PoFileError as e:
        line = getattr(e, "lineno", 0)
        raise ReportError([Diagnostic(Loc(shown_path(str(path)), line), f"invalid PO syntax: {e}; fix the entry or restore it from git")])
    except (UnicodeDecodeError, ValueError) as e:
        raise ReportError([Diagnostic(Loc(shown_path(str(path))), f"unreadable catalog: {e}")])


def update(resolved: Resolved, lang: str, root: Path | None = None) -> list[tuple[Path, bool]]:
    """Create or merge locales/<lang>/<report>/*.po from the current content. Returns (path, changed)."""
    code = parse_locale(lang)
    root = root or locales_root(resolved.report.folder)
    folder = root / code.bcp47 / resolved.report.id
    result = []
    tmpls = templates(resolved)
    existing = {p.stem for p in folder.glob("*.po")} if folder.is_dir() else set()
    for name in sorted(set(tmpls) | existing):
        path = folder / f"{name}.po"
        template = tmpls.get(name) or Catalog(charset="utf-8", creation_date=_stamp(resolved), fuzzy=False)
        if path.is_file():
            broken = syntax_errors([path])
            if broken:  # merging would rewrite the file without the entries Babel could not read
                raise ReportError(broken)
            cat = read_catalog(path, code.gettext)
            previous = {m.id: m.previous_id for m in cat if m.fuzzy and m.previous_id}
            cat.update(template, no_fuzzy_matching=False, update_header_comment=False, keep_user_comments=True,
                       update_creation_date=True)
            for m in cat:  # Babel forgets the old source of an entry that was already fuzzy: keep showing it
                if m.fuzzy and not m.previous_id and m.id in previous:
                    m.previous_id = previous[m.id]
        else:
            cat = Catalog(locale=code.gettext, project=template.project, version=template.version,
                          copyright_holder=template.copyright_holder, charset="utf-8",
                          creation_date=template.creation_date, revision_date=template.creation_date, fuzzy=False)
            cat.msgid_bugs_address = ""
            cat.language_team = f"{code.bcp47} <>"
            cat.last_translator = ""
            cat.update(template, no_fuzzy_matching=True, update_header_comment=False)
        result.append((path, _write_if_changed(path, _dump(cat))))
    return result


def catalog_files(report_id: str, lang: str, root: Path) -> list[Path]:
    code = parse_locale(lang)
    folder = root / code.bcp47 / report_id
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


def syntax_errors(paths: list[Path]) -> list:
    """PO syntax errors as Diagnostics, from GNU msgfmt (Babel's reader accepts broken entries
    silently). Empty when msgfmt is not installed: Babel's own checks still apply."""
    import re
    import shutil
    import subprocess

    if not paths or not shutil.which("msgfmt"):
        return []
    out = []
    stderr = "".join(subprocess.run(["msgfmt", "-o", "/dev/null", str(p)], capture_output=True, text=True).stderr
                     for p in paths)  # one file at a time: msgfmt merges several into one catalog
    for line in stderr.splitlines():
        m = re.match(r"^(.+?\.po):(\d+):(?:(\d+):)? (.+)$", line)
        if m and "warning" not in m.group(4):
            out.append(Diagnostic(Loc(shown_path(m.group(1)), int(m.group(2)), int(m.group(3) or 0)),
                                  f"invalid PO syntax: {m.group(4)}; fix the entry or restore it from git"))
    return out


def load_translations(report_id: str, lang: str, root: Path) -> dict[str, Entry]:
    """msgid -> Entry over every catalog of the language (obsolete entries are not used).
    A catalog with a syntax error stops the build: its entries would be lost silently."""
    out: dict[str, Entry] = {}
    errors = syntax_errors(catalog_files(report_id, lang, root))
    if errors:
        raise ReportError(errors)
    for path in catalog_files(report_id, lang, root):
        cat = read_catalog(path, parse_locale(lang).gettext)
        for msg in cat:
            if not msg.id or not isinstance(msg.id, str):
                continue
            entry = Entry(msg.string if isinstance(msg.string, str) else "", msg.fuzzy,
                          Loc(shown_path(str(path)), msg.lineno or 0))
            if msg.id not in out or (entry.string and not out[msg.id].string):
                out[msg.id] = entry
    return out


def per_catalog_counts(resolved: Resolved, lang: str, root: Path) -> dict:
    """part -> counts of translated / fuzzy / untranslated entries and source words."""
    code = parse_locale(lang)
    stats: dict = defaultdict(lambda: {"translated": 0, "fuzzy": 0, "untranslated": 0,
                                       "words_translated": 0, "words_fuzzy": 0, "words_untranslated": 0})
    translations = load_translations(resolved.report.id, code.bcp47, root)
    for name, tmpl in templates(resolved).items():
        s = stats[name]
        for msg in tmpl:
            if not msg.id:
                continue
            words = len(str(msg.id).split())
            e = translations.get(msg.id)
            state = "untranslated" if e is None or not e.string else ("fuzzy" if e.fuzzy else "translated")
            s[state] += 1
            s["words_" + state] += words
    return dict(stats)
