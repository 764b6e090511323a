"""Read a brand folder (<styles>/<name>/brand.yaml + assets) into one typed Brand that every renderer reads.

brand.yaml is validated by a schema (brand_schema.py; unknown keys at any depth are refused with a
did-you-mean); each problem is reported at the file:line:col of the value (or key) it is about. A brand
once validated is kept in the user cache, keyed by the bytes and dates of its folder's files.

Brands are found through a search path of styles folders: the project's `styles/` first, then
reportkit's built-in styles (`builtin_styles()`). Templates a brand does not override come from the
first `base` folder in the search path, so a project's own brand inherits `base` without copying it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Collector, Diagnostic, Loc, ReportError, did_you_mean, shown_path
from .yamlsrc import YMap, read_yaml, type_name

COLOR_KEYS = ("primary", "accent", "text", "muted", "surface", "rule", "on-primary")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FAMILY = re.compile(r"^[A-Za-z0-9 ]+$")
PAPERS = {"a4": (210, 297), "us-letter": (215.9, 279.4), "a5": (148, 210)}
NOTES = ("endnotes", "footnotes")
RUNNING_HEADERS = ("title", "chapter", "none")
COVERS = ("band", "plain")


# ---------------- where brands live ----------------

def builtin_styles() -> Path:
    """reportkit's own styles folder (inside the package; the repository's top-level styles/ before the move)."""
    here = Path(__file__).resolve().parent / "styles"
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "styles"


def default_search() -> list[Path]:
    """The current folder's styles/ if it holds brands, then reportkit's built-in styles."""
    out = []
    project = Path.cwd() / "styles"
    if project.is_dir() and (any(project.glob("*/brand.yaml")) or (project / "base").is_dir()):
        out.append(project)
    out.append(builtin_styles())
    return _unique(out)


def _unique(paths) -> list[Path]:
    seen, out = set(), []
    for p in paths:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            out.append(Path(p))
    return out


def _search(search) -> list[Path]:
    if search is None:
        return default_search()
    if isinstance(search, (str, os.PathLike)):  # one styles folder, as older callers pass it
        return [Path(search)]
    return _unique(Path(p) for p in search)  # the same folder twice (a symlink) is searched once


def base_folder(search: Sequence[Path] | None = None) -> Path:
    """The first `base` folder in the search path (reportkit's own if none has one)."""
    for styles in _search(search):
        if (styles / "base").is_dir():
            return styles / "base"
    return builtin_styles() / "base"


def brand_names(search: Sequence[Path] | Path | None = None) -> list[str]:
    """Every brand in the search path (a name found twice is the first folder's)."""
    return sorted({p.parent.name for styles in _search(search) for p in styles.glob("*/brand.yaml")})


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
    notes: str | None  # None when brand.yaml does not set it: the report or the built-in default decides
    running_header: str
    cover: str
    base: Path | None = None  # the styles/base folder templates not overridden here come from
    cover_art: Path | None = None  # artwork printed on the front cover (an SVG file in the brand folder)
    imprint: dict | None = None  # address, website, licence (each may be None): inside and back covers
    bibliography: bool | None = None  # `citations: {bibliography: …}`: None leaves it to the report (default off)

    def imprint_lines(self) -> dict:
        """address, website, licence (None when the brand has none) and website-url: the website as a
        link (https:// added when the brand writes it without a scheme, as dset.tw)."""
        imprint = {k: (self.imprint or {}).get(k) for k in ("address", "website", "licence")}
        site = imprint["website"]
        return imprint | {"website-url": (site if "://" in site else "https://" + site) if site else None}

    def families(self) -> list[str]:
        f = self.fonts
        return sorted({f["latin"]["serif"], f["latin"]["sans"], f["cjk"]["serif"], f["cjk"]["sans"], f["mono"]})

    def template(self, name: str) -> Path:
        """A brand may override any template of the base folder by a file of the same name."""
        own = self.folder / name
        return own if own.is_file() else (self.base or base_folder()) / name


def find_brand(name: str, search: Sequence[Path] | Path | None = None) -> Path | None:
    """The brand's folder: the first styles folder of the search path that has <name>/brand.yaml."""
    if not name or "/" in name or "\\" in name or name in (".", "..", "base"):
        return None
    for styles in _search(search):
        if (styles / name / "brand.yaml").is_file():
            return styles / name
    return None


def load_brand(name: str, search: Sequence[Path] | Path | None = None) -> Brand:
    """Read and validate brand `name` from the search path (default: ./styles if it has brands, then
    reportkit's built-in styles). Every problem is reported at once, each at its file:line:col."""
    paths = _search(search)
    folder = find_brand(name, paths)
    if folder is None:
        names = brand_names(paths)
        where = " or ".join(shown_path(p) for p in paths)
        raise ReportError([Diagnostic(Loc(f"{shown_path(paths[0]) if paths else 'styles'}/{name}/brand.yaml"),
                                      f'no brand "{name}" in {where}{did_you_mean(name, names)}; brands: {", ".join(names) or "none"}')])
    from . import cache

    # a validated brand is kept in the user cache (pydantic costs 0.1 s to import); fresh or kept, the
    # same JSON is read back, so both give the same Brand
    return _decoded(cache.kept("brand", _depends(folder, paths), lambda: _encoded(_read(name, folder, paths))))


def _read(name: str, folder: Path, paths: list[Path]) -> Brand:
    from .brand_schema import _where, parse

    path = folder / "brand.yaml"
    shown = shown_path(path)
    tree = read_yaml(path, shown)
    top = Loc(shown, 1, 1)
    if not isinstance(tree, YMap):
        raise ReportError([Diagnostic(Loc(shown), f"brand.yaml must be a mapping of brand keys, not {type_name(tree)}")])
    c = Collector()
    spec = parse(tree, top)
    logo = None
    if spec.logo:
        candidate = (folder / spec.logo).resolve()
        if not candidate.is_relative_to(folder.resolve()) or not candidate.is_file() or candidate.suffix.lower() != ".svg":
            c.error(_where(tree, ("logo",), top), f'logo "{spec.logo}" must be an SVG file inside {shown_path(folder)}/')
        else:
            logo = candidate
    cover_art = None
    if spec.cover_art:
        candidate = (folder / spec.cover_art).resolve()
        if (not candidate.is_relative_to(folder.resolve()) or not candidate.is_file()
                or candidate.suffix.lower() != ".svg"):
            c.error(_where(tree, ("cover-art",), top), f'cover-art "{spec.cover_art}" must be an SVG file inside {shown_path(folder)}/')
        else:
            cover_art = candidate
    c.raise_if_errors()
    colors = {"primary": spec.colors.primary, "accent": spec.colors.accent, "text": spec.colors.text,
              "muted": spec.colors.muted, "surface": spec.colors.surface, "rule": spec.colors.rule,
              "on-primary": spec.colors.on_primary}
    fonts = {"latin": {"serif": spec.fonts.latin.serif, "sans": spec.fonts.latin.sans},
             "cjk": {"serif": spec.fonts.cjk.serif, "sans": spec.fonts.cjk.sans},
             "mono": spec.fonts.mono}
    t = spec.type
    typ = {"body-size": float(t.body_size), "body-leading": float(t.body_leading),
           "cjk-body-size": float(t.cjk_body_size), "cjk-leading": float(t.cjk_leading)}
    m = spec.page.margin
    margin = {"top": float(m.top), "bottom": float(m.bottom), "inside": float(m.inside), "outside": float(m.outside)}
    return Brand(spec.name or name, folder, colors, fonts, typ, spec.page.size, margin, logo,
                 spec.notes, spec.running_header, spec.cover, base_folder(paths), cover_art,
                 {"address": spec.imprint.address, "website": spec.imprint.website, "licence": spec.imprint.licence},
                 spec.citations.bibliography)


def _depends(folder: Path, paths: list[Path]) -> tuple:
    """What a validated brand depends on: its folder's files (names and bytes: a few small files, and the
    logo must still be there), the base folder, and the code that validates it."""
    from . import cache

    parts = [str(folder.resolve()), str(base_folder(paths))]
    for code in ("brand.py", "brand_schema.py"):
        parts += cache.stat_key(Path(__file__).with_name(code))
    for f in sorted(folder.iterdir()):
        if f.is_file():
            parts += [f.name, f.read_bytes()]
    return tuple(parts)


def _encoded(brand: Brand) -> bytes:
    return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(brand).items()}).encode()


def _decoded(data: bytes) -> Brand:
    fields = json.loads(data)
    for name in ("folder", "logo", "base", "cover_art"):
        fields[name] = Path(fields[name]) if fields[name] is not None else None
    return Brand(**fields)


__all__ = ["Brand", "COLOR_KEYS", "PAPERS", "base_folder", "brand_names", "builtin_styles",
           "default_search", "find_brand", "load_brand"]
