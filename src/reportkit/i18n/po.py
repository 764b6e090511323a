"""A small, exact reader and writer of GNU gettext PO files.

Why not Babel's: Babel re-wraps previous msgids (`#| msgid`) through its comment wrapper, which
breaks quoted strings mid-line on paragraph-length text, and reads them back as translator comments.
This module keeps every part of an entry as data (previous msgid, obsolete `#~` entries, flags,
comments, the line of the msgid) and writes it back in GNU gettext's canonical layout: the text is
written unwrapped (always valid PO), then passed through GNU `msgcat`, which wraps it exactly as
msgmerge and msgcat do, so a round trip through `msgcat` makes no diff. Without GNU gettext the
unwrapped text is written as it is (valid, just not wrapped).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

WIDTH = 79  # GNU gettext's default


class POSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.lineno = line
        self.message = message


@dataclass
class POEntry:
    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    translator_comments: list[str] = field(default_factory=list)
    auto_comments: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    lineno: int = 0  # 1-based line of the msgid keyword

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @fuzzy.setter
    def fuzzy(self, value: bool) -> None:
        if value and "fuzzy" not in self.flags:
            self.flags.insert(0, "fuzzy")
        elif not value:
            self.flags = [f for f in self.flags if f != "fuzzy"]

    @property
    def translated(self) -> bool:
        """Has a translation (of any state): an empty msgstr is no translation."""
        if self.msgid_plural is not None:
            return any(self.msgstr_plural.values())
        return bool(self.msgstr)


@dataclass
class POFile:
    header: POEntry | None = None  # the msgid "" entry, with the file's leading comments
    entries: list[POEntry] = field(default_factory=list)  # active first, then obsolete, in file order

    @property
    def active(self) -> list[POEntry]:
        return [e for e in self.entries if not e.obsolete]

    @property
    def obsolete(self) -> list[POEntry]:
        return [e for e in self.entries if e.obsolete]

    def header_fields(self) -> dict[str, str]:
        out = {}
        for line in (self.header.msgstr if self.header else "").split("\n"):
            key, sep, value = line.partition(":")
            if sep:
                out[key.strip()] = value.strip()
        return out


# ---------------------------------------------------------------------------------------- reading

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")


_ESCAPE = re.compile(r"\\(?:([ntrabfv\\\"])|([0-7]{1,3})|x([0-9a-fA-F]+)|(.))", re.S)


def _unescape(body: str, lineno: int) -> str:
    if "\\" not in body:  # most lines of a catalog: nothing to do
        return body

    def one(m) -> str:
        simple, octal, hexa, bad = m.groups()
        if bad is not None:
            raise POSyntaxError(lineno, f"invalid escape sequence \\{bad}")
        return _ESCAPES[simple] if simple else chr(int(octal, 8)) if octal else chr(int(hexa, 16))

    return _ESCAPE.sub(one, body)


def _string(text: str, lineno: int) -> str:
    m = _STRING.match(text.strip())
    if not m:
        raise POSyntaxError(lineno, f"expected a quoted string, found {text.strip()[:40]!r}")
    return _unescape(m.group(1), lineno)


def parse(text: str) -> POFile:
    """Parse PO text. Raises POSyntaxError (with a 1-based line) on anything it cannot read."""
    po = POFile()
    entry: POEntry | None = None
    comments: dict = {}
    target: tuple | None = None  # (entry attribute, plural index) the next continuation string extends
    seen_msgstr = False

    def new_entry() -> None:
        nonlocal entry, comments, target, seen_msgstr
        entry, comments, target, seen_msgstr = None, {}, None, False

    def finish() -> None:
        if entry is None:
            return
        if not seen_msgstr:
            raise POSyntaxError(entry.lineno, "entry without msgstr")
        if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete and po.header is None and not po.entries:
            po.header = entry
        else:
            po.entries.append(entry)
        new_entry()

    def ensure(lineno: int, obsolete: bool) -> POEntry:
        nonlocal entry
        if entry is None:
            entry = POEntry(msgid="", obsolete=obsolete, lineno=lineno)
            entry.translator_comments = comments.get("#", [])
            entry.auto_comments = comments.get("#.", [])
            entry.locations = comments.get("#:", [])
            entry.flags = comments.get("#,", [])
            for key in ("previous_msgctxt", "previous_msgid", "previous_msgid_plural"):
                setattr(entry, key, comments.get(key))
        return entry

    lines = text.split("\n")
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip():
            if entry is not None and seen_msgstr:
                finish()
            continue
        obsolete = line.startswith("#~")
        previous = False
        if obsolete:
            line = line[2:]
            if line.startswith("|"):
                previous, line = True, line[1:]
            line = line.lstrip(" ")
        elif line.startswith("#|"):
            previous, line = True, line[2:].lstrip(" ")
        elif line.startswith("#"):
            if entry is not None and seen_msgstr:
                finish()
            if entry is not None:
                raise POSyntaxError(n, "comment inside an entry")
            kind = line[:2] if line[:2] in ("#.", "#:", "#,") else "#"
            body = line[2:] if kind != "#" else line[1:]
            if kind == "#":
                comments.setdefault("#", []).append(body[1:] if body.startswith(" ") else body)
            elif kind == "#.":
                comments.setdefault("#.", []).append(body[1:] if body.startswith(" ") else body)
            elif kind == "#:":
                comments.setdefault("#:", []).extend(body.split())
            else:
                comments.setdefault("#,", []).extend(f.strip() for f in body.split(",") if f.strip())
            continue
        if previous:
            if entry is not None and seen_msgstr:
                finish()
            m = _KEYWORD.match(line)
            if m and m.group(1) in ("msgctxt", "msgid", "msgid_plural"):
                key = "previous_" + m.group(1)
                comments[key] = _string(m.group(3), n)
                target = ("comments", key)
            elif line.startswith('"') and target and target[0] == "comments":
                comments[target[1]] += _string(line, n)
            else:
                raise POSyntaxError(n, f"cannot read previous-msgid line {raw.strip()[:40]!r}")
            continue
        m = _KEYWORD.match(line)
        if m:
            keyword, index, rest = m.group(1), m.group(2), m.group(3)
            if keyword in ("msgctxt", "msgid") and entry is not None and seen_msgstr:
                finish()
            if keyword == "msgctxt":
                if entry is not None:
                    raise POSyntaxError(n, "msgctxt after msgid")
                e = ensure(n, obsolete)
                e.msgctxt = _string(rest, n)
                target = ("msgctxt", None)
            elif keyword == "msgid":
                e = ensure(n, obsolete)
                e.lineno = n
                e.msgid = _string(rest, n)
                target = ("msgid", None)
            elif keyword == "msgid_plural":
                if entry is None:
                    raise POSyntaxError(n, "msgid_plural without msgid")
                entry.msgid_plural = _string(rest, n)
                target = ("msgid_plural", None)
            else:
                if entry is None:
                    raise POSyntaxError(n, "msgstr without msgid")
                seen_msgstr = True
                if index is None:
                    entry.msgstr = _string(rest, n)
                    target = ("msgstr", None)
                else:
                    entry.msgstr_plural[int(index)] = _string(rest, n)
                    target = ("msgstr_plural", int(index))
            continue
        if line.startswith('"'):
            if entry is None or target is None or target[0] == "comments":
                raise POSyntaxError(n, "string outside an entry")
            value = _string(line, n)
            if target[0] == "msgstr_plural":
                entry.msgstr_plural[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
            continue
        raise POSyntaxError(n, f"cannot read {raw.strip()[:40]!r}")
    if entry is not None:
        finish()
    return po


# ---------------------------------------------------------------------------------------- writing

_WRITTEN = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_TO_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def _escape(s: str) -> str:
    """A string as a PO string literal's inside (one regex: a loop over the characters was a third of
    writing a catalog)."""
    return _TO_ESCAPE.sub(lambda m: _WRITTEN.get(m.group()) or "\\%03o" % ord(m.group()), s)


def _field(prefix: str, keyword: str, value: str) -> list[str]:
    """One keyword and its string, split after each newline (GNU wraps the rest)."""
    parts = value.split("\n")
    chunks = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    if len(chunks) <= 1:
        return [f'{prefix}{keyword} "{_escape(value)}"']
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{_escape(c)}"' for c in chunks]


def _entry_lines(e: POEntry) -> list[str]:
    out = [f"# {c}" if c else "#" for c in e.translator_comments]
    if not e.obsolete:
        out += [f"#. {c}" if c else "#." for c in e.auto_comments]
        if e.locations:
            out.append("#: " + " ".join(e.locations))
    flags = (["fuzzy"] if e.fuzzy else []) + [f for f in e.flags if f != "fuzzy"]
    if flags:
        out.append("#, " + ", ".join(flags))
    prev = "#~| " if e.obsolete else "#| "
    if e.previous_msgctxt is not None:
        out += _field(prev, "msgctxt", e.previous_msgctxt)
    if e.previous_msgid is not None:
        out += _field(prev, "msgid", e.previous_msgid)
    if e.previous_msgid_plural is not None:
        out += _field(prev, "msgid_plural", e.previous_msgid_plural)
    p = "#~ " if e.obsolete else ""
    if e.msgctxt is not None:
        out += _field(p, "msgctxt", e.msgctxt)
    out += _field(p, "msgid", e.msgid)
    if e.msgid_plural is not None:
        out += _field(p, "msgid_plural", e.msgid_plural)
        for i in sorted(e.msgstr_plural) or [0]:
            out += _field(p, f"msgstr[{i}]", e.msgstr_plural.get(i, ""))
    else:
        out += _field(p, "msgstr", e.msgstr)
    return out


def dump_unwrapped(po: POFile) -> str:
    blocks = []
    if po.header is not None:
        blocks.append("\n".join(_entry_lines(po.header)))
    for e in po.active + po.obsolete:
        blocks.append("\n".join(_entry_lines(e)))
    return "\n\n".join(blocks) + "\n"


def canonical(text: str) -> bytes:
    """GNU gettext's own layout of `text` (via msgcat), or `text` as it is when msgcat is missing."""
    from .. import cache

    data = text.encode("utf-8")
    exe = shutil.which("msgcat")
    if not exe:
        return data
    # a pure function of the text and the msgcat installed: kept in the user cache (check compares every
    # template with what extract would write, a msgcat run each)
    def run() -> bytes:
        r = subprocess.run([exe, "--force-po", f"--width={WIDTH}", "-o", "-", "-"], input=data, capture_output=True)
        if r.returncode != 0 or not r.stdout:
            raise RuntimeError(f"msgcat could not rewrite a catalog: {r.stderr.decode('utf-8', 'replace').strip()}")
        return r.stdout

    return cache.kept("msgcat", (WIDTH, *cache.stat_key(exe), data), run)


def dump(po: POFile) -> bytes:
    return canonical(dump_unwrapped(po))
