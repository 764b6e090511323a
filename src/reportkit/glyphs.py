"""Glyph coverage: every character an edition prints must be in the fonts the brand assigns to it.

Typst silently draws a missing glyph as an empty box that pdftotext still extracts as the right
character, so this reads the fonts' cmaps instead of trusting the output.

Only the cmaps are read: HarfBuzz maps the font file (a CJK collection is tens of MB) and collects
the code points of each face, touching little more than the cmap table. The code points of each
file are kept in the user cache (kind "cmap"), keyed by (path, size, mtime_ns) of the file, so a
later `check` reads a few kB per font instead.
"""
from __future__ import annotations

import bisect
import functools
import os
import struct

from . import cache as _cache
from .errors import Diagnostic

from .walk import iter_rich

_IGNORED = {"\n", "\t", "\u200b", "\u00ad", "\u2060"}
_SCHEMA = "cmap-1"


def _read_cmap(path: str) -> frozenset:
    """Every code point that some face of the font file maps to a glyph."""
    import uharfbuzz as hb

    blob = hb.Blob.from_file_path(path)
    count = max(1, hb.Face(blob).count)
    cps: set[int] = set()
    for i in range(count):
        cps.update(hb.Face(blob, i).unicodes)
    return frozenset(cps)


def _pack(cps) -> bytes:
    """Code points as sorted (first, last) ranges of uint32: a CJK font's ~45,000 fit in a few kB."""
    ranges: list[int] = []
    for cp in sorted(cps):
        if ranges and cp == ranges[-1] + 1:
            ranges[-1] = cp
        else:
            ranges += [cp, cp]
    return struct.pack(f"<{len(ranges)}I", *ranges)


@functools.lru_cache(maxsize=None)
def _ranges_at(path: str, size: int, mtime_ns: int) -> tuple:
    """The font file's code points as (first, last) ranges, kept in the user cache by (path, size, mtime)."""
    data = _cache.kept("cmap", (_SCHEMA, path, size, mtime_ns), lambda: _pack(_read_cmap(path)))
    vals = struct.unpack(f"<{len(data) // 4}I", data)
    return tuple(zip(vals[0::2], vals[1::2]))


def _cmap(path: str) -> frozenset:
    """Every code point of one font file (for tests: the coverage check itself works on ranges)."""
    return frozenset(cp for first, last in _ranges_at(*_cache.stat_key(path)) for cp in range(first, last + 1))


class Coverage:
    """The code points some font of a brand draws, as merged ranges: membership by bisection. (A set of
    every code point of three CJK faces took 0.1 s to build, a tenth of `check`.)"""

    def __init__(self, ranges):
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __contains__(self, cp) -> bool:
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]

    def __eq__(self, other) -> bool:
        return isinstance(other, Coverage) and (self.starts, self.ends) == (other.starts, other.ends)

    def __hash__(self) -> int:
        return hash((tuple(self.starts), tuple(self.ends)))


def covered(families) -> Coverage:
    from .fonts import files_for

    return Coverage(r for path in files_for(families) for r in _ranges_at(*_cache.stat_key(path)))


def missing_in(text: str, cover: frozenset) -> list[str]:
    return sorted({ch for ch in set(text) if ord(ch) not in cover and ch not in _IGNORED and not ch.isspace()})


def check_glyphs(resolved, brand, editions=None) -> list[Diagnostic]:
    """One error per text that holds a character none of the brand's fonts can draw. `brand`: the Brand
    the build uses (from the project's styles), or a name looked up in the default search path."""
    from .brand import load_brand

    if isinstance(brand, str):
        brand = load_brand(brand)
    return check_cover(resolved, brand.name, covered(tuple(brand.families())), editions, brand)


def check_cover(resolved, brand_name: str, cover: frozenset, editions=None, brand=None) -> list[Diagnostic]:
    """check_glyphs with the coverage given: every text of the source report, or of each edition as the
    writers print it (presentation.typeset: citations and the bibliography expanded), in document order.
    A character that came from a reference is reported at the reference's entry (file:line)."""
    out: list[Diagnostic] = []
    if editions:
        from .presentation import bibliography_on, typeset

        pairs = [(typeset(ed, bibliography_on(ed.report, brand)).report, ed.report) for ed in editions]
    else:
        pairs = [(resolved.report, resolved.report)]
    for report, source in pairs:
        for rich, owner in iter_rich(report):
            gaps = missing_in(rich.plain(), cover)
            for loc, chars in _origins(rich, owner, gaps, source).items():
                out.append(Diagnostic(loc, f"no font of brand '{brand_name}' has a glyph for "
                                           f"{', '.join(f'U+{ord(c):04X} {c!r}' for c in chars)}; "
                                           "replace the character or add a font to the brand"))
    return once(out)


def once(diagnostics) -> list[Diagnostic]:
    """Each finding once, in order: a source text printed by two editions is one finding."""
    seen: set = set()
    return [d for d in diagnostics if (d.loc, d.message) not in seen and not seen.add((d.loc, d.message))]


def _origins(rich, owner, gaps, source) -> dict:
    """loc -> the missing characters to report there: a note's own text at the note, a character its
    citations brought in at the reference entry that holds it (a bibliography entry is already there)."""
    import json

    from .model import Note

    out: dict = {}
    library = getattr(source, "references", None)
    original = source.notes.get(owner.id) if isinstance(owner, Note) and library is not None else None
    for ch in gaps:
        loc = rich.loc
        if original is not None and ch not in original.text.plain():
            from .citations import cites_in

            keys = [k for cite in cites_in(original.text.nodes) for k in cite.keys if k in library.items]
            loc = next((library.locs[k] for k in keys if ch in json.dumps(library.items[k], ensure_ascii=False)), loc)
        out.setdefault(loc, []).append(ch)
    return out


_ASIDE: tuple = ()  # what the forked glyph check reads (set before it forks): the resolved report, the brand


def _check_edition(lang: str) -> list:
    from .build import BuildOptions, make_editions

    resolved, brand = _ASIDE
    return check_glyphs(resolved, brand, make_editions(resolved, [lang], BuildOptions()))


def check_aside(resolved, brand):
    """Start the glyph check of every edition, one forked process per edition (each typesets its edition:
    most of `check` after an edit); returns a function that waits for the findings, in edition order, a
    source text printed by two editions said once. Where forking is not safe, the checks run when that
    function is called."""
    from .build import available_langs, fork_pool

    global _ASIDE
    _ASIDE = (resolved, brand)
    langs = available_langs(resolved)
    pool = fork_pool(min(len(langs), os.cpu_count() or 1))
    futures = [pool.submit(_check_edition, lang) for lang in langs] if pool is not None else None

    def wait():
        try:
            found = [f.result() for f in futures] if futures is not None else [_check_edition(lang) for lang in langs]
        finally:
            if pool is not None:
                pool.shutdown()
        return once(d for edition in found for d in edition)

    return wait
