"""Mark Chinese written inside text of another language, so editions set it in the right language and font.

`tag_runs(nodes, lang)` wraps each maximal run of Chinese characters found in Text nodes outside an
existing Span into `Span("zh-Hant" | "zh-Hans" | "zh", [Text(run)])`. A pure function over inline nodes
(model.Text, Emph, Strong, Link, Span, NoteRef, XRef): unchanged nodes are returned as they are, changed
ones are new nodes; nothing is mutated.

A run is Han characters and CJK punctuation (，。「」《》？ ...), together with the spaces, digits and
ASCII punctuation that stand *between* such characters ("超 1500 公里跨域, 仅损失" is one run); a Latin
letter or an ASCII double quote (the English citation's quotes) ends it: `陈国祥, "中美 AI 竞争` is three
runs, as the hand-made spans of the flagship split them. A quote mark or parenthesis just outside a run
that closes (or opens) one left open inside it joins the run.

The script is decided with OpenCC's character tables: a Traditional character is one OpenCC's
traditional->simplified conversion changes, a Simplified one is one its simplified->traditional
conversion changes, in both cases leaving out characters that are written the same in the other script
too (OpenCC lists 余 -> 餘 or 余, 台 -> 臺 or 台: these are no evidence). A run with only Traditional
evidence is "zh-Hant", only Simplified "zh-Hans", both: the clear (2:1) majority. A run with no
evidence (中美, 全球) or no clear majority takes what all runs of the same text say together, and "zh"
when that too is undecided.
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from .model import Emph, Link, Span, Strong, Text

# Languages whose own text is written with Han characters: nothing in them is foreign Chinese.
HAN_LANGS = {"zh", "cmn", "yue", "lzh", "wuu", "hak", "nan", "gan", "hsn", "cjy", "ja", "ko"}

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_PUNCT = "\u2e80-\u2fdf\u3000-\u303f\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_CJK = _HAN + _CJK_PUNCT + "\uff10-\uff19"  # fullwidth digits count as CJK too
# May stand between CJK characters inside a run: spaces, digits, ASCII and general punctuation, middle dots.
_NEUTRAL = r"\s0-9!#-/:-@\[-`{-~\u00b7\u2010-\u2027\u2030-\u205e\u30fb"  # not '"' (U+0022)
_RUN = re.compile(rf"[{_CJK}]+(?:[{_NEUTRAL}]+[{_CJK}]+)*")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_PAIRS = {"'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "(": ")"}


def is_han_language(lang: str) -> bool:
    return lang.replace("_", "-").split("-")[0].lower() in HAN_LANGS


def tag_runs(nodes, lang: str) -> list:
    """`nodes` with every run of Chinese outside a Span wrapped in a Span of its script.

    Does nothing (returns the nodes as a list) when `lang`, the language of the text itself, is written
    with Han characters (Chinese, Japanese, Korean)."""
    nodes = list(nodes)
    if is_han_language(lang):
        return nodes
    runs = [text[s:e] for text in _texts(nodes) for s, e in _runs(text)]
    if not runs:
        return nodes
    fallback = script("".join(runs)) or "zh"
    return _tag(nodes, fallback)


def script(text: str) -> str | None:
    """"zh-Hant" or "zh-Hans" when the characters of `text` say so (see the module doc), else None."""
    trad = sum(_evidence(c)[0] for c in text)
    simp = sum(_evidence(c)[1] for c in text)
    if trad >= 2 * simp and trad:
        return "zh-Hant"
    if simp >= 2 * trad and simp:
        return "zh-Hans"
    return None


@lru_cache(maxsize=8192)
def _evidence(c: str) -> tuple[bool, bool]:
    """(c is written only in Traditional, c is written only in Simplified)."""
    if not _HAN_CHAR.match(c):
        return False, False
    tables = _tables()
    if tables is not None:
        return c in tables[0], c in tables[1]
    # an OpenCC without its text tables: what its converters change (余, 台 then count as Simplified)
    return _opencc("t2s").convert(c) != c, _opencc("s2t").convert(c) != c


@lru_cache(maxsize=None)
def _opencc(config: str):
    from opencc import OpenCC

    return OpenCC(config)


@lru_cache(maxsize=None)
def _tables() -> tuple[frozenset, frozenset] | None:
    """(characters only Traditional writing uses, characters only Simplified writing uses), from the
    character tables of OpenCC (TSCharacters: traditional -> simplified candidates; STCharacters:
    simplified -> traditional candidates); a character listed among its own candidates is not counted."""
    from pathlib import Path

    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    if not (folder / "TSCharacters.txt").is_file() or not (folder / "STCharacters.txt").is_file():
        return None
    tables = []
    for name in ("TSCharacters.txt", "STCharacters.txt"):
        only = set()
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, candidates = line.partition("\t")
            if len(key) == 1 and candidates and key not in candidates.split():
                only.add(key)
        tables.append(frozenset(only))
    return tables[0], tables[1]


def _texts(nodes):
    """The strings of the Text nodes that tag_runs may change (not inside a Span or an autolink)."""
    for node in nodes:
        if isinstance(node, Text):
            yield node.text
        elif isinstance(node, (Emph, Strong)) or (isinstance(node, Link) and not node.auto):
            yield from _texts(node.children)


def _runs(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _RUN.finditer(text):
        if not _HAN_CHAR.search(m.group()):
            continue  # CJK punctuation alone (a stray fullwidth comma) is not Chinese text
        start, end = m.span()
        run = m.group()
        for open_q, close_q in _PAIRS.items():
            if open_q == close_q:
                if run.count(open_q) % 2:
                    if text[end:end + 1] == open_q:
                        end += 1
                    elif start and text[start - 1] == open_q:
                        start -= 1
            elif run.count(open_q) > run.count(close_q) and text[end:end + 1] == close_q:
                end += 1
            elif run.count(close_q) > run.count(open_q) and start and text[start - 1] == open_q:
                start -= 1
            run = text[start:end]
        out.append((start, end))
    return out


def _tag(nodes, fallback: str) -> list:
    out: list = []
    for node in nodes:
        if isinstance(node, Text):
            out.extend(_split(node, fallback))
        elif isinstance(node, (Emph, Strong)) or (isinstance(node, Link) and not node.auto):
            children = _tag(node.children, fallback)
            changed = len(children) != len(node.children) or any(a is not b for a, b in zip(children, node.children))
            out.append(dataclasses.replace(node, children=children) if changed else node)
        else:  # Span (already in a language), NoteRef, XRef, autolink: as they are
            out.append(node)
    return out


def _split(node: Text, fallback: str) -> list:
    text = node.text
    spans = _runs(text)
    if not spans:
        return [node]
    out, pos = [], 0
    for start, end in spans:
        if start > pos:
            out.append(Text(text[pos:start]))
        run = text[start:end]
        out.append(Span(script(run) or fallback, [Text(run)]))
        pos = end
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out
