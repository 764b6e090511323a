"""Glyph coverage: every character an edition prints must be in the fonts the brand assigns to it.

Typst silently draws a missing glyph as an empty box that pdftotext still extracts as the right
character, so this reads the fonts' cmaps instead of trusting the output.

Only the cmaps are read: HarfBuzz maps the font file (a CJK collection is tens of MB) and collects
the code points of each face, touching little more than the cmap table. The code points of each
file are kept in the user cache (kind "cmap"), keyed by (path, size, mtime_ns) of the file, so a
later `check` reads a few kB per font instead.
"""
from __future__ import annotations

import functools
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


def _unpack(data: bytes) -> frozenset:
    vals = struct.unpack(f"<{len(data) // 4}I", data)
    out: set[int] = set()
    for first, last in zip(vals[0::2], vals[1::2]):
        out.update(range(first, last + 1))
    return frozenset(out)


@functools.lru_cache(maxsize=None)
def _cmap_at(path: str, size: int, mtime_ns: int) -> frozenset:
    key = _cache.digest(_SCHEMA, path, size, mtime_ns)
    data = _cache.get("cmap", key)
    if data is not None and len(data) % 8 == 0:
        return _unpack(data)
    cps = _read_cmap(path)
    _cache.put("cmap", key, _pack(cps))
    return cps


def _cmap(path: str) -> frozenset:
    return _cmap_at(*_cache.stat_key(path))


def covered(families) -> frozenset:
    from .fonts import files_for

    out: set[int] = set()
    for path in files_for(families):
        out |= _cmap(path)
    return frozenset(out)


def missing_in(text: str, cover: frozenset) -> list[str]:
    return sorted({ch for ch in text if ord(ch) not in cover and ch not in _IGNORED and not ch.isspace()})


def check_glyphs(resolved, brand_name: str, editions=None) -> list[Diagnostic]:
    """One error per text that holds a character none of the brand's fonts can draw."""
    from .brand import load_brand

    brand = load_brand(brand_name)
    return check_cover(resolved, brand.name, covered(tuple(brand.families())), editions)


def check_cover(resolved, brand_name: str, cover: frozenset, editions=None) -> list[Diagnostic]:
    """check_glyphs with the coverage given: every text of the source report (or of each edition's
    report), in document order."""
    out: list[Diagnostic] = []
    reports = [ed.report for ed in editions] if editions else [resolved.report]
    for report in reports:
        for rich, _owner in iter_rich(report):
            gaps = missing_in(rich.plain(), cover)
            if gaps:
                out.append(Diagnostic(rich.loc, f"no font of brand '{brand_name}' has a glyph for "
                                                f"{', '.join(f'U+{ord(c):04X} {c!r}' for c in gaps)}; "
                                                "replace the character or add a font to the brand"))
    return out
