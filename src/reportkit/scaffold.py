"""`reportkit new` and `reportkit new-brand`: a report, or a brand, that builds at once.

A new report is content/<name>/ with report.yaml, one chapter that uses every block kind (the structure
of content/example, with neutral text that says it is placeholder text), figures/ with a simple SVG,
and catalogs for the languages asked for (made with the same `i18n update` every project uses).

A new report never silently gets DSET's logo: it uses the project's default-brand if the project sets
one, else the project's own brand if it has exactly one, else reportkit's built-in `plain` brand, and
says which. The choice is written to `[tool.reportkit] default-brand` in the project's pyproject.toml
when the project has none, so `reportkit build content/<name>` uses it.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import Diagnostic, Loc, ReportError, shown_path

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

REPORT_YAML = """\
# A new report made by `reportkit new`. Every text below is placeholder text: replace it with your own.
# The content format is described in reportkit's docs/content-format.md.
lang: en
title: {title}
subtitle: Placeholder subtitle; replace it with your own
date: {date}
organization: Placeholder Organization
organization_short: PO
notes: endnotes
authors:
  - name: Placeholder Author
    role: Placeholder role
    bio: This is placeholder text for the author's biography.
about:
  - id: about-organization
    title: About the organization
    blocks:
      - p: This is placeholder text about the organization that publishes this report.
disclaimer: This is placeholder text for the disclaimer.
copyright: © {year} Placeholder Organization
acknowledgments:
  - p: This is placeholder text for the acknowledgments; see [@ch-placeholder].
chapters:
  - chapter.yaml
"""

# one snippet per block kind (load.BLOCK_KINDS); a kind this reportkit does not know is left out
BLOCKS = {
    "p": """\
  - p: This is placeholder text. It shows emphasis (*like this*), **strong text**, a
      [link](https://example.org), a note,[^n-placeholder] and cross-references to [@sec-placeholder],
      [@tab-placeholder] and [@fig-placeholder].
""",
    "findings": """\
  - findings:
      items:
        - This is a placeholder finding.
        - This is another placeholder finding.
""",
    "epigraph": """\
  - epigraph:
      text: This is a placeholder epigraph.
      attribution: Placeholder attribution
""",
    "list": """\
  - list:
      ordered: true
      items:
        - This is the first placeholder item.
        - {id: item-placeholder, text: "This is the second placeholder item."}
        - This is the third placeholder item; see [@item-placeholder].
""",
    "section": """\
  - section:
      id: sec-placeholder
      title: Placeholder section
      blocks:
        - p: This is placeholder text inside a section.
        - section:
            id: sec-placeholder-detail
            title: Placeholder subsection
            blocks:
              - p: This is placeholder text inside a subsection; see [@box-placeholder].
""",
    "sidebar": """\
  - sidebar:
      id: box-placeholder
      title: Placeholder box
      blocks:
        - p: This is placeholder text inside a box.
""",
    "terms": """\
  - terms:
      - {term: Placeholder term, text: this is a placeholder definition}
      - {term: Another term, text: this is another placeholder definition}
""",
    "quote": """\
  - quote:
      text: This is a placeholder quotation.
      attribution: Placeholder attribution
""",
    "pullquote": """\
  - pullquote:
      text: This is a placeholder pull quote.
""",
    "table": """\
  - table:
      id: tab-placeholder
      caption: Placeholder table
      source: Placeholder source.
      columns:
        - {title: Row, width: 1}
        - {title: Description, width: 2}
        - {title: Value, align: right, width: 1}
      rows:
        - group: Placeholder group
        - - First row
          - This is placeholder text.
          - "0"
        - - Second row
          - This is placeholder text.
          - "0"
""",
    "figure": """\
  - figure:
      id: fig-placeholder
      image: figures/placeholder.svg
      caption: Placeholder figure.
      source: Placeholder source.
      alt: A grey rectangle with the words placeholder figure.
""",
    "recommendations": """\
  - recommendations:
      id: recs-placeholder
      items:
        - id: rec-placeholder
          lead: This is a placeholder recommendation
          blocks:
            - p: This is placeholder text explaining the recommendation.
""",
    "include": """\
  - include: part.yaml
""",
}

PART_YAML = """\
# Blocks included into chapter.yaml with `include`. Placeholder text: replace it with your own.
blocks:
  - p: This is placeholder text from an included file.
"""

FIGURE_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200" width="400" height="200" role="img" aria-label="Placeholder figure">
  <rect x="4" y="4" width="392" height="192" fill="#EEEEEE" stroke="#888888" stroke-width="2"/>
  <text x="200" y="108" text-anchor="middle" font-family="Noto Sans, sans-serif" font-size="20" fill="#555555">placeholder figure</text>
</svg>
"""

BRAND_YAML = """\
# The {name} brand, made by `reportkit new-brand`. It inherits every template of reportkit's base
# styles (nothing is copied): change the palette, the fonts and the logo below. Other keys (type,
# page, notes, running-header, cover) are described in reportkit's docs.
name: {title}
colors:
  primary: "#2F4858"
  accent: "#8A4F7D"
  text: "#1B1B1B"
  muted: "#5E6366"
  surface: "#F1F3F4"
  rule: "#B4BCC2"
  on-primary: "#FFFFFF"
fonts:                    # installed families (fc-list); CJK families are used by Chinese editions
  latin:
    serif: Noto Serif
    sans: Noto Sans
  cjk:
    serif: Noto Serif CJK TC
    sans: Noto Sans CJK TC
  mono: DejaVu Sans Mono
type:
  body-size: 10.5
  body-leading: 0.7
  cjk-body-size: 10.5
  cjk-leading: 1.05
page:
  size: a4
  margin: {{top: 25, bottom: 25, inside: 24, outside: 22}}
logo: logo.svg
notes: endnotes
running-header: title
cover: band
"""

LOGO_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 64" width="{width}" height="64" role="img" aria-label="{label}">
  <rect x="4" y="12" width="40" height="40" rx="8" fill="none" stroke="#8A4F7D" stroke-width="4"/>
  <text x="56" y="44" font-family="Noto Sans, sans-serif" font-size="30" fill="#2F4858">{label}</text>
</svg>
"""


def _check_name(name: str, what: str, where: str) -> None:
    if not _NAME.match(name or ""):
        raise ReportError([Diagnostic(Loc(where), f'{what} name "{name}" must be lowercase letters, digits and "-" '
                                                  '(it becomes a folder name and an id), e.g. annual-review')])


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _write_new(path: Path, text: str, made: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as f:  # never overwrite
        f.write(text)
    made.append(path)


def new_brand(project, name: str) -> list[str]:
    """styles/<name>/brand.yaml (palette, fonts, logo; templates inherited from base) and logo.svg."""
    from .brand import builtin_styles, load_brand

    folder = project.styles / name
    _check_name(name, "brand", str(folder))
    if name in ("base",) or (builtin_styles() / name).is_dir() and name in ("dset", "plain", "base"):
        raise ReportError([Diagnostic(Loc(str(folder)), f'"{name}" is a brand reportkit ships; choose another name')])
    if folder.exists():
        raise ReportError([Diagnostic(Loc(str(folder)), "already exists; choose another name or edit its brand.yaml")])
    title = " ".join(w.capitalize() for w in name.split("-"))
    made: list = []
    _write_new(folder / "brand.yaml", BRAND_YAML.format(name=name, title=title), made)
    _write_new(folder / "logo.svg", LOGO_SVG.format(width=max(120, 60 + 18 * len(title)), label=_xml(title)), made)
    load_brand(name, project.style_search())  # what it wrote must load
    return [f"wrote {shown_path(p)}" for p in made] + \
        [f'brand "{name}" inherits reportkit\'s base templates; build with --brand {name}, '
         f'or set default-brand = "{name}" under [tool.reportkit] in pyproject.toml']


def _own_brands(project) -> list[str]:
    return sorted(p.parent.name for p in project.styles.glob("*/brand.yaml")) if project.styles.is_dir() else []


def _set_default_brand(project, brand: str) -> str | None:
    """Write default-brand into the project's pyproject.toml when it sets none; returns what was done."""
    path = project.root / "pyproject.toml"
    line = f'default-brand = "{brand}"'
    if not path.is_file():
        path.write_text(f"[tool.reportkit]\n{line}\n", encoding="utf-8")
        return f"wrote {shown_path(path)} ([tool.reportkit] {line})"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(?m)^\[tool\.reportkit\][ \t]*$", text)
    if m:
        text = text[:m.end()] + "\n" + line + text[m.end():]
    else:
        text = text.rstrip("\n") + f"\n\n[tool.reportkit]\n{line}\n"
    path.write_text(text, encoding="utf-8")
    return f"updated {shown_path(path)} ([tool.reportkit] {line})"


def new_report(project, name: str, langs: list | None = None, brand: str | None = None, title: str | None = None) -> list[str]:
    """content/<name>/ that builds at once with the project's brand (never DSET's by accident)."""
    import datetime

    from . import load as load_module
    from .brand import find_brand
    from .locales import parse_locale

    folder = project.content / name
    _check_name(name, "report", str(folder))
    if folder.exists():
        raise ReportError([Diagnostic(Loc(str(folder)), "already exists; choose another name")])
    codes = []
    for lang in langs or []:
        for one in str(lang).split(","):
            if one.strip():
                try:
                    codes.append(parse_locale(one.strip()).bcp47)
                except ValueError as e:
                    raise ReportError([Diagnostic(Loc("--lang"), f"{e}; use a BCP 47 tag such as zh-Hant")])
    lines: list[str] = []
    # the brand: asked for (made if missing), else the project's setting, its only brand, or plain
    settings = project.settings()
    search = project.style_search()
    if brand:
        if find_brand(brand, search) is None:
            lines += new_brand(project, brand)
        chosen, why = brand, f'brand "{brand}"'
    elif settings.get("default-brand"):
        chosen = str(settings["default-brand"])
        why = f'the project\'s default brand "{chosen}" (pyproject.toml [tool.reportkit] default-brand)'
    elif len(_own_brands(project)) == 1:
        chosen = _own_brands(project)[0]
        why = f'the project\'s own brand "{chosen}" (styles/{chosen}/)'
    else:
        chosen = "plain"
        why = ('reportkit\'s built-in "plain" brand, because this project has no brand of its own '
               "(make one with: reportkit new-brand NAME, then set default-brand = \"NAME\" in pyproject.toml)")
    project.brand(chosen)  # it must load before anything is written
    today = datetime.date.today()
    shown_title = title or " ".join(w.capitalize() for w in name.split("-"))
    made: list = []
    kinds = [k for k in load_module.BLOCK_KINDS if k in BLOCKS]
    order = ["findings", "p", "epigraph", "list", "section", "sidebar", "terms", "quote", "pullquote", "table",
             "figure", "recommendations", "include"]
    body = "".join(BLOCKS[k] for k in order if k in kinds) + "".join(BLOCKS[k] for k in kinds if k not in order)
    chapter = ("# A chapter that uses every block kind. Every text is placeholder text: replace it with your own.\n"
               "id: ch-placeholder\ntitle: Placeholder chapter\nblocks:\n" + body +
               "notes:\n  n-placeholder: This is a placeholder note.\n")
    try:
        _write_new(folder / "report.yaml", REPORT_YAML.format(title=_yaml_text(shown_title), date=today.isoformat(),
                                                              year=today.year), made)
        _write_new(folder / "chapter.yaml", chapter, made)
        if "include" in kinds:
            _write_new(folder / "part.yaml", PART_YAML, made)
        _write_new(folder / "figures" / "placeholder.svg", FIGURE_SVG, made)
        lines += [f"wrote {shown_path(p)}" for p in made]
        if not settings.get("default-brand"):
            others = [r for r in project.reports() if r.resolve() != folder.resolve()]
            if not others:
                lines.append(_set_default_brand(project, chosen))
            elif chosen != "dset":  # the other reports keep what they build with; this one is told how to differ
                lines.append(f"warning: this project sets no default-brand, so its reports build with reportkit's DSET "
                             f"brand; build this one with --brand {chosen}, or set default-brand = \"{chosen}\" "
                             "under [tool.reportkit] in pyproject.toml")
        if codes:
            from .i18n import catalog
            from .load import load
            from .resolve import resolve

            resolved = resolve(load(folder))
            root = catalog.locales_root(resolved.report.folder)
            for code in codes:
                for p, changed in catalog.update(resolved, code, root):
                    lines.append(f"wrote {shown_path(p)}")
                from .catalog_ui import interface_words_problem

                problem = interface_words_problem(code, parse_locale(code).gettext)
                if problem is not None:
                    lines.append(str(problem))
    except BaseException:
        for p in reversed(made):  # a half-made report is not left behind
            p.unlink(missing_ok=True)
        for d in (folder / "figures", folder):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        raise
    lines.append(f"uses {why}")
    flag = ""
    if brand and settings.get("default-brand") and str(settings["default-brand"]) != brand:
        flag = f" --brand {brand}"
        lines.append(f'note: the project\'s default-brand is "{settings["default-brand"]}"; build this report with{flag}')
    lines.append(f"next: reportkit build {shown_path(folder)}{flag}")
    return lines


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
