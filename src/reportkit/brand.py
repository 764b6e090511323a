"""Read a brand folder (styles/<name>/brand.yaml + assets) into one typed Brand that every renderer reads."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Collector, Loc, ReportError, did_you_mean
from .yamlsrc import YMap, plain, read_yaml

def _styles() -> Path:
    """The project's styles/ (the current folder's, so a team's own brands win), else reportkit's own."""
    here = Path.cwd() / "styles"
    return here if (here / "base").is_dir() else Path(__file__).resolve().parents[2] / "styles"


STYLES = _styles()
COLOR_KEYS = ("primary", "accent", "text", "muted", "surface", "rule", "on-primary")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FAMILY = re.compile(r"^[A-Za-z0-9 ]+$")
PAPERS = {"a4": (210, 297), "us-letter": (215.9, 279.4), "a5": (148, 210)}


@dataclass(frozen=True)
class Brand:
    """Everything about the look of an edition; values are validated so renderers may print them as-is."""

    name: str
    folder: Path
    colors: dict  # key -> "#RRGGBB"
    fonts: dict  # {"latin": {"serif","sans"}, "cjk": {...}, "mono"}
    type: dict  # body-size, body-leading, cjk-body-size, cjk-leading
    paper: str
    margin: dict  # top, bottom, inside, outside in mm
    logo: Path | None
    notes: str
    running_header: str
    cover: str

    def families(self) -> list[str]:
        f = self.fonts
        return sorted({f["latin"]["serif"], f["latin"]["sans"], f["cjk"]["serif"], f["cjk"]["sans"], f["mono"]})

    def template(self, name: str) -> Path:
        """A brand may override any template of styles/base by a file of the same name."""
        own = self.folder / name
        return own if own.is_file() else STYLES / "base" / name


def brand_names(styles: Path = STYLES) -> list[str]:
    return sorted(p.parent.name for p in styles.glob("*/brand.yaml"))


def load_brand(name: str, styles: Path = STYLES) -> Brand:
    folder = styles / name
    path = folder / "brand.yaml"
    shown = f"styles/{name}/brand.yaml"
    if not path.is_file():
        raise ReportError([__import__("reportkit.errors", fromlist=["Diagnostic"]).Diagnostic(
            Loc(shown), f'no brand "{name}"{did_you_mean(name, brand_names(styles))}; brands: {", ".join(brand_names(styles))}')])
    m = read_yaml(path, shown)
    c = Collector()
    if not isinstance(m, YMap):
        c.error(Loc(shown), "brand.yaml must be a mapping")
        c.raise_if_errors()
    allowed = {"name", "colors", "fonts", "type", "page", "logo", "notes", "running-header", "cover"}
    for k in m:
        if k not in allowed:
            c.error(m.key_locs[k], f'unknown brand key "{k}"{did_you_mean(k, allowed)}')
    colors = {}
    for key in COLOR_KEYS:
        value = str((m.get("colors") or {}).get(key, ""))
        if not _HEX.match(value):
            c.error(getattr(m.get("colors"), "loc", m.loc), f'colors.{key} must be a "#RRGGBB" color, not "{value}"')
        colors[key] = value.upper()
    fonts = {"latin": {}, "cjk": {}, "mono": ""}
    f = m.get("fonts") or {}
    for script in ("latin", "cjk"):
        for role in ("serif", "sans"):
            family = str((f.get(script) or {}).get(role, ""))
            if not _FAMILY.match(family):
                c.error(getattr(f, "loc", m.loc), f"fonts.{script}.{role} must be a font family name (letters, digits, spaces)")
            fonts[script][role] = family
    fonts["mono"] = str(f.get("mono") or "DejaVu Sans Mono")
    t = m.get("type") or {}
    typ = {}
    for key, default in (("body-size", 10.5), ("body-leading", 0.7), ("cjk-body-size", 10.5), ("cjk-leading", 1.0)):
        value = plain(t.get(key, default))
        if not isinstance(value, (int, float)) or not 0 < value < 40:
            c.error(getattr(t, "loc", m.loc), f"type.{key} must be a number")
            value = default
        typ[key] = float(value)
    page = m.get("page") or {}
    paper = str(page.get("size", "a4"))
    if paper not in PAPERS:
        c.error(getattr(page, "loc", m.loc), f'page.size must be one of {", ".join(PAPERS)}{did_you_mean(paper, PAPERS)}')
    margin = {}
    for side in ("top", "bottom", "inside", "outside"):
        value = plain((page.get("margin") or {}).get(side, 25))
        if not isinstance(value, (int, float)) or not 5 <= value <= 60:
            c.error(getattr(page, "loc", m.loc), f"page.margin.{side} must be a number of millimetres between 5 and 60")
            value = 25
        margin[side] = float(value)
    logo = None
    if m.get("logo"):
        logo = (folder / str(m["logo"])).resolve()
        if not logo.is_relative_to(folder.resolve()) or not logo.is_file() or logo.suffix != ".svg":
            c.error(m.get("logo").loc, f'logo "{m["logo"]}" must be an SVG file inside styles/{name}/')
            logo = None
    choices = {"notes": ("endnotes", "footnotes"), "running-header": ("title", "chapter", "none"), "cover": ("band", "plain")}
    picked = {}
    for key, options in choices.items():
        value = str(m.get(key) or options[0])
        if value not in options:
            c.error(getattr(m.get(key), "loc", m.loc), f'{key} must be one of {", ".join(options)}')
        picked[key] = value
    c.raise_if_errors()
    return Brand(str(m.get("name") or name), folder, colors, fonts, typ, paper, margin, logo,
                 picked["notes"], picked["running-header"], picked["cover"])
