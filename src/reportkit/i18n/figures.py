"""Text inside a report's SVG figures, as translation units of the report's `figures` catalog.

Each `<text>` element (its `<tspan>` lines joined by a space), `<title>` and `<desc>` of every
figure's SVG is one unit. The build shows figures as images, so these translations do not change an
edition by themselves: they tell whoever draws `figures/x.<lang>.svg` what to write, and
`i18n check` warns when a hand-made variant lacks a reviewed translation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..model import Figure
from ..resolve import Resolved
from ..walk import nodes

CATALOG = "figures"
_SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class FigureText:
    text: str
    context: str
    anchor: str
    file: str  # the SVG
    line: int


def _texts(path: Path):
    from lxml import etree

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError):
        return
    for el in root.iter(_SVG + "text", _SVG + "title", _SVG + "desc"):
        if el.tag == _SVG + "text":
            lines = [" ".join("".join(t.itertext()).split()) for t in el.iter(_SVG + "tspan")] or \
                    [" ".join("".join(el.itertext()).split())]
            text = " ".join(x for x in lines if x)
        else:
            text = " ".join("".join(el.itertext()).split())
        if text:
            yield el.tag[len(_SVG):], text, el.sourceline or 1


def figure_texts(resolved: Resolved) -> list[FigureText]:
    out: list[FigureText] = []
    for fig in nodes(resolved.report.chapters):
        if not isinstance(fig, Figure) or fig.image is None or Path(fig.image).suffix.lower() != ".svg":
            continue
        path = Path(fig.image)
        name = f"Figure {resolved.number(fig.id)}"
        for i, (tag, text, line) in enumerate(_texts(path), 1):
            what = {"title": "title (read aloud)", "desc": "description (read aloud)"}.get(tag, "text")
            out.append(FigureText(text, f"{name} ({path.name}), {what}", fig.id, str(path), line))
    return out


def svg_plain(path: Path) -> str:
    """Every character of an SVG's text, without whitespace (for containment checks)."""
    return re.sub(r"\s+", "", " ".join(t for _, t, _ in _texts(path)))
