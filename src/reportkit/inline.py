"""Parse inline markup text ('*em*', '[^note]', '[@ref]', links, spans) into model inline nodes.

Used by load for content and by localize for translations, so both read the same language.
"""
from __future__ import annotations

import re

from .model import Cite, Emph, Link, NoteRef, Span, Strong, Text, XRef

ID_CHARS = r"[A-Za-z0-9][A-Za-z0-9_.:-]*"
ID_RE = re.compile(rf"^{ID_CHARS}$")
_NOTE = re.compile(rf"\[\^({ID_CHARS})\]")
_XREF = re.compile(rf"\[@({ID_CHARS})\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>]+)>")
LANG_TAG = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"  # a language tag as markup and the tools accept it (zh-Hant)
_LANG = re.compile(rf"\{{lang=({LANG_TAG})\}}")
_URL = re.compile(r"\((\S+?)\)")
# a citation: [cite: key], [cite: key, p. 5; other, chap. 2], [cite-short: key], [cite-full: key]
_CITE = re.compile(r"\[cite(-short|-full)?:\s*([^\[\]]*)\]")
_CITE_KEY = re.compile(rf"^({ID_CHARS})(?:\s*,\s*(\S.*))?$")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# The characters that can open or close markup; a backslash before one of them makes it literal.
# Before any other character the backslash is itself literal text (C:\Users stays C:\Users).
ESCAPABLE = frozenset("\\*[]<")


def escape(text: str) -> str:
    """`text` as literal inline markup: a backslash before each character that can open or close markup."""
    return "".join("\\" + c if c in ESCAPABLE else c for c in text)


class InlineError(ValueError):
    """Bad markup; `offset` is the character position in the text."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def parse(text: str) -> list:
    """Parse `text`; raises InlineError on unbalanced or unsafe markup."""
    nodes, pos = _parse(text, 0, None)
    return _merge(nodes)


def _closing_bracket(text: str, start: int) -> int:
    """Index of the ']' matching the '[' at `start`, or -1."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _parse(text: str, pos: int, stop: str | None):
    out: list = []
    buf: list[str] = []

    def flush():
        if buf:
            out.append(Text("".join(buf)))
            buf.clear()

    n = len(text)
    while pos < n:
        c = text[pos]
        if stop and text.startswith(stop, pos) and (stop != "*" or not text.startswith("**", pos) or stop == "**"):
            if pos > 0 and not text[pos - 1].isspace():
                flush()
                return out, pos + len(stop)
        if c == "\\" and pos + 1 < n and text[pos + 1] in ESCAPABLE:
            buf.append(text[pos + 1])
            pos += 2
            continue
        if c == "*":
            marker = "**" if text.startswith("**", pos) else "*"
            after = pos + len(marker)
            if after < n and not text[after].isspace():
                flush()
                children, end = _parse(text, after, marker)
                if end is None:
                    raise InlineError(f'unclosed "{marker}"; close it or write \\* for a literal star', pos)
                out.append(Strong(_merge(children)) if marker == "**" else Emph(_merge(children)))
                pos = end
                continue
        if c == "[" and text.startswith("[cite", pos):
            m = _CITE.match(text, pos)
            if m:
                flush()
                out.append(_cite(m, pos))
                pos = m.end()
                continue
        if c == "[":
            m = _NOTE.match(text, pos) or _XREF.match(text, pos)
            if m:
                flush()
                out.append(NoteRef(m.group(1)) if m.group(0)[1] == "^" else XRef(m.group(1)))
                pos = m.end()
                continue
            close = _closing_bracket(text, pos)
            if close > 0:
                um = _URL.match(text, close + 1)
                lm = _LANG.match(text, close + 1)
                if um or lm:
                    flush()
                    children, _ = _parse(text[: close], pos + 1, None)
                    if um:
                        url = um.group(1)
                        if not url.startswith(SAFE_SCHEMES):
                            raise InlineError(f'link target "{url}" must start with http://, https:// or mailto:', close + 1)
                        out.append(Link(url, _merge(children)))
                        pos = um.end()
                    else:
                        out.append(Span(lm.group(1), _merge(children)))
                        pos = lm.end()
                    continue
        if c == "<":
            m = _AUTOLINK.match(text, pos)
            if m:
                flush()
                out.append(Link(m.group(1), [Text(m.group(1))], auto=True))
                pos = m.end()
                continue
        buf.append(c)
        pos += 1
    flush()
    if stop:
        return out, None
    return out, pos


def _cite(m, pos: int) -> Cite:
    """A Cite from a `[cite…: key, locator; key]` match; a bad key list is an InlineError at `pos`."""
    keys, locators = [], []
    for part in m.group(2).split(";"):
        km = _CITE_KEY.match(part.strip())
        if not km:
            raise InlineError(f'bad citation "{m.group(0)}": write [cite: key] or [cite: key, p. 5; other-key] '
                              "(keys are letters, digits, '-', '_', '.', ':')", pos)
        keys.append(km.group(1))
        locators.append((km.group(2) or "").strip())
    return Cite(keys, locators, (m.group(1) or "").lstrip("-"))


def _merge(nodes: list) -> list:
    merged: list = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        elif not (isinstance(node, Text) and not node.text):
            merged.append(node)
    return merged


def placeholders(nodes, target_lang: str = "") -> list[tuple]:
    """The non-text parts of parsed markup, as comparable tuples (for translation checks).

    A span in the target's own language (a Chinese term inside English, translated into Chinese) is
    ordinary text in the translation, so it is not counted."""
    own = target_lang.split("-")[0] if target_lang else None
    out: list[tuple] = []
    for node in nodes:
        if isinstance(node, NoteRef):
            out.append(("note", node.id))
        elif isinstance(node, XRef):
            out.append(("ref", node.id))
        elif isinstance(node, Cite):
            out.append(("cite", tuple(node.keys), tuple(node.locators), node.form))
        elif isinstance(node, Link):
            out.append(("link", node.url))
            if not node.auto:
                out.extend(placeholders(node.children, target_lang))
        elif isinstance(node, Emph):
            out.append(("emphasis",))
            out.extend(placeholders(node.children, target_lang))
        elif isinstance(node, Strong):
            out.append(("strong",))
            out.extend(placeholders(node.children, target_lang))
        elif isinstance(node, Span):
            if node.lang.split("-")[0] != own:
                out.append(("span", node.lang))
            out.extend(placeholders(node.children, target_lang))
    return out
