"""Read a brand folder (<styles>/<name>/brand.yaml + assets) into one typed Brand that every renderer reads.

brand.yaml is validated by a schema (pydantic models below; unknown keys at any depth are refused with a
did-you-mean); each problem is reported at the file:line:col of the value (or key) it is about.

Brands are found through a search path of styles folders: the project's `styles/` first, then
reportkit's built-in styles (`builtin_styles()`). Templates a brand does not override come from the
first `base` folder in the search path, so a project's own brand inherits `base` without copying it.
"""
from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import Collector, Diagnostic, Loc, ReportError, did_you_mean
from .yamlsrc import YMap, YScalar, plain, read_yaml, type_name

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


def _shown(path: Path) -> str:
    """A path as printed in diagnostics: relative to the current folder when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else Path(rel).as_posix()


# ---------------- the schema ----------------

def _color(v: str) -> str:
    if not _HEX.match(v):
        raise ValueError("not a #RRGGBB color")
    return v.upper()


def _family(v: str) -> str:
    if not _FAMILY.match(v):
        raise ValueError("not a font family name")
    return v


Color = Annotated[str, Field(strict=True), AfterValidator(_color)]
Family = Annotated[str, Field(strict=True), AfterValidator(_family)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Colors(_Section):
    primary: Color
    accent: Color
    text: Color
    muted: Color
    surface: Color
    rule: Color
    on_primary: Color = Field(alias="on-primary")


class ScriptFonts(_Section):
    serif: Family
    sans: Family


class Fonts(_Section):
    latin: ScriptFonts
    cjk: ScriptFonts
    mono: Family = "DejaVu Sans Mono"


def _typed(v):
    """A plain YAML scalar is text as written (YScalar); where a number is expected, its YAML value counts."""
    return v.value if isinstance(v, YScalar) else v


_Size = Annotated[float, BeforeValidator(_typed), Field(strict=True, gt=0, lt=40)]
_Millimetres = Annotated[float, BeforeValidator(_typed), Field(strict=True, ge=5, le=60)]


class TypeSizes(_Section):
    body_size: _Size = Field(10.5, alias="body-size")
    body_leading: _Size = Field(0.7, alias="body-leading")
    cjk_body_size: _Size = Field(10.5, alias="cjk-body-size")
    cjk_leading: _Size = Field(1.0, alias="cjk-leading")


class Margin(_Section):
    top: _Millimetres = 25
    bottom: _Millimetres = 25
    inside: _Millimetres = 25
    outside: _Millimetres = 25


class Page(_Section):
    size: Literal["a4", "us-letter", "a5"] = "a4"
    margin: Margin = Margin()


_Text = Annotated[str, Field(strict=True, min_length=1)]


class Imprint(_Section):
    """What the inside and back covers print about the publisher; every field is optional (a brand
    leaves out what it does not know rather than invent it)."""

    address: Optional[_Text] = None  # postal address, one line per line break
    website: Optional[_Text] = None  # e.g. "dset.tw" or "https://dset.tw"
    licence: Optional[_Text] = None  # the licence the publisher's reports are issued under


class BrandCitations(_Section):
    """Defaults for the reports of this brand that a report's own `citations:` overrides."""

    bibliography: Optional[Annotated[bool, BeforeValidator(_typed), Field(strict=True)]] = None  # a references list at the end


class BrandFile(_Section):
    """brand.yaml as written (before the logo is looked up in the brand folder)."""

    name: Optional[Annotated[str, Field(strict=True)]] = None
    colors: Colors
    fonts: Fonts
    type: TypeSizes = TypeSizes()
    page: Page = Page()
    logo: Optional[Annotated[str, Field(strict=True)]] = None
    notes: Optional[Literal["endnotes", "footnotes"]] = None  # None: the brand leaves it to the report / default
    running_header: Literal["title", "chapter", "none"] = Field("title", alias="running-header")
    cover: Literal["band", "plain"] = "band"
    cover_art: Optional[Annotated[str, Field(strict=True)]] = Field(None, alias="cover-art")
    imprint: Imprint = Imprint()
    citations: BrandCitations = BrandCitations()


_FAMILY_TEXT = "a font family name (letters, digits, spaces)"
# what each value must be, by its path in brand.yaml ("*" matches any key)
_EXPECT = {
    ("name",): "text",
    ("colors",): f"a mapping of {', '.join(COLOR_KEYS)} to \"#RRGGBB\" colors",
    ("colors", "*"): 'a "#RRGGBB" color',
    ("fonts",): "a mapping with latin, cjk (serif and sans each) and mono",
    ("fonts", "latin"): "a mapping with serif and sans",
    ("fonts", "cjk"): "a mapping with serif and sans",
    ("fonts", "*", "*"): _FAMILY_TEXT,
    ("fonts", "mono"): _FAMILY_TEXT,
    ("type",): "a mapping of body-size, body-leading, cjk-body-size and cjk-leading",
    ("type", "*"): "a number greater than 0 and below 40",
    ("page",): "a mapping with size and margin",
    ("page", "size"): f"one of {', '.join(PAPERS)}",
    ("page", "margin"): "a mapping of top, bottom, inside and outside",
    ("page", "margin", "*"): "a number of millimetres between 5 and 60",
    ("logo",): "the name of an SVG file inside the brand folder",
    ("notes",): f"one of {', '.join(NOTES)}",
    ("running-header",): f"one of {', '.join(RUNNING_HEADERS)}",
    ("cover",): f"one of {', '.join(COVERS)}",
    ("cover-art",): "the name of an SVG file inside the brand folder",
    ("imprint",): "a mapping of address, website and licence",
    ("imprint", "*"): "text",
    ("citations",): "a mapping with bibliography",
    ("citations", "bibliography"): "true or false",
}
_CHOICES = {("page", "size"): tuple(PAPERS), ("notes",): NOTES, ("running-header",): RUNNING_HEADERS, ("cover",): COVERS}


def _expect(path: tuple) -> str:
    if path in _EXPECT:
        return _EXPECT[path]
    for pattern, text in _EXPECT.items():
        if len(pattern) == len(path) and all(p in ("*", q) for p, q in zip(pattern, path)):
            return text
    return "a valid value"


def _model_at(path: tuple):
    """The schema model that validates the mapping at `path` (None if that is no mapping)."""
    model = BrandFile
    for key in path:
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == key), None)
        ann = getattr(field, "annotation", None)
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return model


def _keys(model) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _node(tree, path: tuple):
    """The YAML value at `path` and its parent mapping (either may be None)."""
    parent, node = None, tree
    for key in path:
        if not isinstance(node, YMap) or key not in node:
            return None, None
        parent, node = node, node[key]
    return node, parent


def _where(tree, path: tuple, fallback: Loc, key: bool = False) -> Loc:
    """file:line:col of the value at `path` (of its key with key=True); the nearest located ancestor else."""
    for depth in range(len(path), -1, -1):
        node, parent = _node(tree, path[:depth])
        if depth == len(path) and key and isinstance(parent, YMap) and path[-1] in parent.key_locs:
            return parent.key_locs[path[-1]]
        if node is not None and getattr(node, "loc", None):
            return node.loc
    return fallback


def _plain_tree(value):
    """YAML nodes -> dicts, lists and scalars for the schema (a YScalar stays: text, with its YAML value)."""
    if isinstance(value, dict):
        return {str(k): _plain_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_tree(v) for v in value]
    if isinstance(value, YScalar):
        return value
    if isinstance(value, str):
        return str(value)
    return plain(value)


def _shown_value(value) -> str:
    v = plain(value)
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return f"{v:g}" if isinstance(v, float) else str(v)
    return type_name(v)


def _diagnostics(e: ValidationError, tree, fallback: Loc) -> list[Diagnostic]:
    out = []
    errs = e.errors()
    # a misspelt key is reported once, as unknown with its did-you-mean, not also as a missing one
    suggested = set()
    for err in errs:
        if err["type"] == "extra_forbidden":
            path = tuple(str(p) for p in err["loc"])
            model = _model_at(path[:-1])
            close = difflib.get_close_matches(path[-1], _keys(model), n=1, cutoff=0.6) if model else []
            suggested.update(path[:-1] + (c,) for c in close)
    for err in errs:
        path = tuple(str(p) for p in err["loc"])
        if err["type"] == "missing" and path in suggested:
            continue
        dotted = ".".join(path)
        if err["type"] == "extra_forbidden":
            parent = path[:-1]
            model = _model_at(parent)
            allowed = _keys(model) if model else []
            where = f"unknown brand key \"{path[-1]}\"" if not parent else f'unknown key "{path[-1]}" in {".".join(parent)}'
            takes = f"; {'brand.yaml' if not parent else '.'.join(parent)} takes {', '.join(allowed)}" if allowed else ""
            out.append(Diagnostic(_where(tree, path, fallback, key=True), f"{where}{did_you_mean(path[-1], allowed)}{takes}"))
            continue
        if err["type"] == "missing":
            parent = path[:-1]
            out.append(Diagnostic(_where(tree, parent, fallback, key=True) if parent else fallback,
                                  f"{dotted} is missing; add it: {_expect(path)}"))
            continue
        value, _ = _node(tree, path)
        message = f"{dotted} must be {_expect(path)}, not {_shown_value(value)}"
        if path in _CHOICES and isinstance(plain(value), str):
            message += did_you_mean(str(value), _CHOICES[path])
        out.append(Diagnostic(_where(tree, path, fallback), message))
    return out


# ---------------- the typed brand ----------------

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
        where = " or ".join(_shown(p) for p in paths)
        raise ReportError([Diagnostic(Loc(f"{_shown(paths[0]) if paths else 'styles'}/{name}/brand.yaml"),
                                      f'no brand "{name}" in {where}{did_you_mean(name, names)}; brands: {", ".join(names) or "none"}')])
    path = folder / "brand.yaml"
    shown = _shown(path)
    tree = read_yaml(path, shown)
    top = Loc(shown, 1, 1)
    if not isinstance(tree, YMap):
        raise ReportError([Diagnostic(Loc(shown), f"brand.yaml must be a mapping of brand keys, not {type_name(tree)}")])
    c = Collector()
    try:
        spec = BrandFile.model_validate(_plain_tree(tree))
    except ValidationError as e:
        for d in sorted(_diagnostics(e, tree, top), key=lambda d: (d.loc.line, d.loc.col)):
            c.items.append(d)
        c.raise_if_errors()
        raise  # pragma: no cover - a ValidationError always has errors
    logo = None
    if spec.logo:
        candidate = (folder / spec.logo).resolve()
        if not candidate.is_relative_to(folder.resolve()) or not candidate.is_file() or candidate.suffix.lower() != ".svg":
            c.error(_where(tree, ("logo",), top), f'logo "{spec.logo}" must be an SVG file inside {_shown(folder)}/')
        else:
            logo = candidate
    cover_art = None
    if spec.cover_art:
        candidate = (folder / spec.cover_art).resolve()
        if (not candidate.is_relative_to(folder.resolve()) or not candidate.is_file()
                or candidate.suffix.lower() != ".svg"):
            c.error(_where(tree, ("cover-art",), top), f'cover-art "{spec.cover_art}" must be an SVG file inside {_shown(folder)}/')
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


__all__ = ["Brand", "BrandFile", "COLOR_KEYS", "PAPERS", "base_folder", "brand_names", "builtin_styles",
           "default_search", "find_brand", "load_brand"]
