"""The schema of brand.yaml (pydantic models; unknown keys at any depth are refused with a did-you-mean)
and its diagnostics, each at the file:line:col of the value (or key) it is about. Imported only when a
brand is read anew: brand.py keeps validated brands in the user cache, and pydantic costs 0.1 s to import."""
from __future__ import annotations

import difflib
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .brand import _FAMILY, _HEX, COLOR_KEYS, COVERS, NOTES, PAPERS, RUNNING_HEADERS
from .errors import Collector, Diagnostic, Loc, did_you_mean
from .yamlsrc import YMap, YScalar, plain, type_name


def parse(tree, top: Loc):
    """The brand file's tree, validated: a BrandFile, or ReportError with every problem at its place."""
    try:
        return BrandFile.model_validate(_plain_tree(tree))
    except ValidationError as e:
        c = Collector()
        for d in sorted(_diagnostics(e, tree, top), key=lambda d: (d.loc.line, d.loc.col)):
            c.items.append(d)
        c.raise_if_errors()
        raise  # pragma: no cover - a ValidationError always has errors


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
