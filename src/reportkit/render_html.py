"""Write an Edition as one self-contained HTML5 page through the brand's Jinja2 templates.

Inline markup becomes escaped HTML here (markupsafe); blocks are laid out by the templates.
"""
from __future__ import annotations

import base64
import functools
import mimetypes

import jinja2
from markupsafe import Markup, escape

from .brand import STYLES, Brand
from .localize import Edition
from .model import Emph, Link, NoteRef, Rich, Span, Strong, Text, XRef, map_rich


class HtmlInline:
    """Rich -> escaped HTML; remembers which notes were referenced first where (for back-links)."""

    def __init__(self, edition: Edition, notes: str):
        self.e = edition
        self.notes = notes
        self.seen: set[str] = set()

    def __call__(self, rich: Rich | None) -> Markup:
        if rich is None:
            return Markup("")
        return Markup("".join(self.node(n) for n in rich.nodes))

    def nodes(self, nodes) -> str:
        return "".join(self.node(n) for n in nodes)

    def node(self, n) -> str:
        if isinstance(n, Text):
            return str(escape(n.text))
        if isinstance(n, Emph):
            return f"<em>{self.nodes(n.children)}</em>"
        if isinstance(n, Strong):
            return f"<strong>{self.nodes(n.children)}</strong>"
        if isinstance(n, Link):
            cls = ' class="url"' if n.auto else ""
            return f'<a href="{escape(n.url)}"{cls}>{self.nodes(n.children)}</a>'
        if isinstance(n, Span):
            return f'<span lang="{escape(n.lang)}">{self.nodes(n.children)}</span>'
        if isinstance(n, XRef):
            target = self.e.resolved.targets[n.id]
            anchor = f"note-{target.number}" if target.kind == "note" else n.id
            return f'<a class="xref" href="#{escape(anchor)}">{escape(self.e.label_of(n.id))}</a>'
        if isinstance(n, NoteRef):
            note = self.e.report.notes[n.id]
            num = note.number
            first = n.id not in self.seen
            self.seen.add(n.id)
            ident = f' id="noteref-{num}"' if first else ""
            label = escape(self.e._("Note %(number)s", number=num))
            # the word joiner keeps the marker on the line of the word before it
            return f'\u2060<a class="noteref" href="#note-{num}"{ident} role="doc-noteref" aria-label="{label}"><sup>{num}</sup></a>'
        raise TypeError(type(n))


def _data_uri(path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


@functools.lru_cache(maxsize=8)
def _environment(brand_folder: str) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([f"{brand_folder}/html", str(STYLES / "base" / "html")])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["kind"] = lambda b: type(b).__name__.lower()
    env.globals["data_uri"] = _data_uri
    return env


def _mix(a: str, b: str, share: float) -> str:
    """`share` of color a over b, as #RRGGBB (computed here: not every engine knows color-mix())."""
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x * share + y * (1 - share)):02X}" for x, y in zip(ca, cb))


def css_variables(brand: Brand, cjk: bool) -> Markup:
    """The brand as CSS custom properties: the same values the Typst template gets."""
    f = brand.fonts
    first, second = ("cjk", "latin") if cjk else ("latin", "cjk")
    serif = f'"{f[first]["serif"]}", "{f[second]["serif"]}", serif'
    sans = f'"{f[first]["sans"]}", "{f[second]["sans"]}", sans-serif'
    size = brand.type["cjk-body-size" if cjk else "body-size"]
    leading = brand.type["cjk-leading" if cjk else "body-leading"]
    lines = [f"--{k}: {v};" for k, v in brand.colors.items()]
    lines.append(f"--zebra: {_mix(brand.colors['surface'], '#FFFFFF', 0.55)};")
    lines += [f"--serif: {serif};", f"--sans: {sans};", f'--cjk-serif: "{f["cjk"]["serif"]}", serif;',
              f"--body-size: {size}pt;", f"--leading: {1 + leading * 0.62:.2f};",
              f"--page-size: {brand.paper.replace('us-letter', 'letter').upper() if brand.paper != 'us-letter' else 'letter'};"]
    m = brand.margin
    lines.append(f"--margin: {m['top']}mm {m['outside']}mm {m['bottom']}mm {m['inside']}mm;")
    return Markup(":root {\n  " + "\n  ".join(lines) + "\n}")


def _page_values(brand: Brand) -> dict:
    from .brand import PAPERS

    w, h = PAPERS[brand.paper]
    cover = "var(--primary)" if brand.cover == "band" else "#FFFFFF"
    ink = "var(--on-primary)" if brand.cover == "band" else "var(--primary)"
    return {"page_size": f"{w}mm {h}mm", "paper_h": h, "m": brand.margin, "cover_bg": cover, "cover_ink": ink,
            "running": brand.running_header}


def edition_text(edition: Edition) -> str:
    """Every character the edition may print (its texts and interface words), for font subsetting."""
    parts: list[str] = []

    def visit(rich, owner):
        parts.append(rich.plain())
        return rich

    map_rich(edition.report, visit)
    parts += [edition._(w) for w in _ui_words()] + [edition.date_text(), edition.colon, "↩0123456789"]
    return "".join(parts)


def _ui_words():
    from .ui_strings import LABELS, WORDS

    return list(WORDS) + [LABELS[k] % {"number": ""} for k in LABELS]


def render_html(edition: Edition, brand: Brand, notes: str, paged: bool = False, webfonts: bool = False) -> str:
    """Edition -> one HTML page. `paged` adds the CSS Paged Media sheet used by the WeasyPrint engine."""
    env = _environment(str(brand.folder))
    inl = HtmlInline(edition, notes)
    template = env.get_template("report.html.j2")
    css = env.get_template("report.css").render()
    paged_css = env.get_template("paged.css").render(**_page_values(brand)) if paged else ""
    logo_uri = _data_uri(brand.logo) if brand.logo else ""
    faces = ""
    if webfonts and not paged:  # WeasyPrint reads the installed fonts directly
        from .webfonts import font_faces

        faces = font_faces(brand, edition_text(edition))
    return template.render(
        e=edition, r=edition.report, m=edition.report.meta, inl=inl, _=edition._, label=edition.label_of,
        notes_style=notes, css=Markup(faces + "\n" + css), paged_css=Markup(paged_css), brand=brand,
        brand_css=css_variables(brand, edition.locale.is_cjk), logo_uri=logo_uri, paged=paged,
        folder=edition.report.folder.resolve())
