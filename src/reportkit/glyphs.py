"""Glyph coverage: every character an edition prints must be in the fonts the brand assigns to it.

Typst silently draws a missing glyph as an empty box that pdftotext still extracts as the right
character, so this reads the fonts' cmaps (fontTools) instead of trusting the output.
"""
from __future__ import annotations

import functools

from .brand import load_brand
from .errors import Diagnostic
from .fonts import files_for
from .model import Rich, map_rich

_IGNORED = {"\n", "\t", "\u200b", "\u00ad", "\u2060"}


@functools.lru_cache(maxsize=None)
def _cmap(path: str) -> frozenset:
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        fonts = TTCollection(path, lazy=True).fonts
    else:
        fonts = [TTFont(path, lazy=True)]
    cps: set[int] = set()
    for f in fonts:
        cps.update(f.getBestCmap() or {})
    return frozenset(cps)


def covered(families) -> frozenset:
    out: set[int] = set()
    for path in files_for(families):
        out |= _cmap(path)
    return frozenset(out)


def missing_in(text: str, cover: frozenset) -> list[str]:
    return sorted({ch for ch in text if ord(ch) not in cover and ch not in _IGNORED and not ch.isspace()})


def check_glyphs(resolved, brand_name: str, editions=None) -> list[Diagnostic]:
    """One error per text that holds a character none of the brand's fonts can draw."""
    brand = load_brand(brand_name)
    cover = covered(tuple(brand.families()))
    out: list[Diagnostic] = []
    targets = editions or [None]
    for ed in targets:
        report = ed.report if ed else resolved.report
        seen = []

        def visit(rich: Rich, owner):
            gaps = missing_in(rich.plain(), cover)
            if gaps:
                seen.append(Diagnostic(rich.loc, f"no font of brand '{brand.name}' has a glyph for "
                                                 f"{', '.join(f'U+{ord(c):04X} {c!r}' for c in gaps)}; replace the character or add a font to the brand"))
            return rich

        map_rich(report, visit)
        out.extend(seen)
    return out
