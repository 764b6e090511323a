"""Write an Edition as one self-contained HTML5 page through the brand's Jinja2 templates.

Inline markup becomes escaped HTML here (markupsafe); blocks are laid out by the templates.
"""
from __future__ import annotations

import base64
import functools
import mimetypes
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import presentation as present
from .brand import Brand
from .localize import Edition
from .model import Rich
from .walk import BlockVisitor, InlineVisitor, UnknownNode, iter_rich


class HtmlWriter(BlockVisitor, InlineVisitor):
    """Rich -> escaped HTML (call it); blocks -> the brand's per-kind macros in blocks.html.j2.
    Remembers which notes were referenced first where (for back-links)."""

    def __init__(self, edition: Edition, notes: str, env: jinja2.Environment):
        self.e = edition
        self.notes = notes
        self.seen: set[str] = set()
        self.data_uri = _data_uri
        self.macros = env.get_template("blocks.html.j2").make_module({"w": self, "e": edition, "_": edition._, "p": present})

    def __call__(self, rich: Rich | None) -> Markup:
        if rich is None:
            return Markup("")
        return Markup(self.nodes(rich.nodes))

    def blocks(self, items) -> Markup:
        return Markup("".join(str(self.block(b)) for b in items))

    def _macro(self, b) -> Markup:
        macro = getattr(self.macros, type(b).KIND, None)
        if macro is None:
            raise UnknownNode(f"blocks.html.j2 has no macro for {type(b).KIND} blocks")
        return macro(b)

    block_para = block_section = block_quote = block_sidebar = _macro
    block_list = block_terms = block_table = block_figure = _macro

    def nodes(self, nodes) -> str:
        out = []
        for before, n in present.inline_runs(nodes):
            if before == present.NOTE_SEPARATOR:
                out.append(f'<sup class="notesep">{escape(before)}</sup>')
            elif before:
                out.append(str(escape(before)))
            out.append(self.inline(n))
        return "".join(out)

    def inline_text(self, n) -> str:
        return str(escape(n.text))

    def inline_emph(self, n) -> str:
        return f"<em>{self.nodes(n.children)}</em>"

    def inline_strong(self, n) -> str:
        return f"<strong>{self.nodes(n.children)}</strong>"

    def inline_link(self, n) -> str:
        cls = ' class="url"' if n.auto else ""
        return f'<a href="{escape(n.url)}"{cls}>{self.nodes(n.children)}</a>'

    def inline_span(self, n) -> str:
        return f'<span lang="{escape(n.lang)}">{self.nodes(n.children)}</span>'

    def inline_xref(self, n) -> str:
        anchor = present.xref_anchor(self.e, n.id, "endnotes")
        return f'<a class="xref" href="#{escape(anchor)}">{escape(present.label(self.e, n.id))}</a>'

    def inline_noteref(self, n) -> str:
        num = self.e.note_number(n.id)
        first = n.id not in self.seen
        self.seen.add(n.id)
        ident = f' id="{present.noteref_anchor(num)}"' if first else ""
        label = escape(self.e._("Note %(number)s", number=num))
        # the word joiner keeps the marker on the line of the word before it
        return (f'\u2060<a class="noteref" href="#{present.note_anchor(num)}"{ident} role="doc-noteref" '
                f'aria-label="{label}"><sup>{num}</sup></a>')


def _data_uri(path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


@functools.lru_cache(maxsize=8)
def _environment(brand_folder: str, base_folder: str) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([f"{brand_folder}/html", f"{base_folder}/html"])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["data_uri"] = _data_uri
    return env


def _base_folder(brand: Brand) -> Path:
    """The styles/base a brand inherits from (the project's own, else reportkit's)."""
    return Path(getattr(brand, "base", None) or Path(__file__).parent / "styles" / "base")


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
    parts = [rich.plain() for rich, _owner in iter_rich(edition.report)]
    parts += [edition._(w) for w in _ui_words()] + [present.date_text(edition), present.term_separator(edition),
                                                   present.source_prefix(edition), present.attribution_prefix(edition),
                                                   present.caption_separator(edition), present.NOTE_SEPARATOR,
                                                   present.DIGIT_GAP, "↩0123456789"]
    return "".join(parts)


def _ui_words():
    from .ui_strings import LABELS, WORDS

    return list(WORDS) + [LABELS[k] % {"number": ""} for k in LABELS]


def render_html(edition: Edition, brand: Brand, notes: str, paged: bool = False, webfonts: bool = False) -> str:
    """Edition -> one HTML page. `paged` adds the CSS Paged Media sheet used by the WeasyPrint engine."""
    edition = present.typeset(edition)
    env = _environment(str(brand.folder), str(_base_folder(brand)))
    w = HtmlWriter(edition, notes, env)
    template = env.get_template("report.html.j2")
    css = env.get_template("report.css").render()
    paged_css = env.get_template("paged.css").render(**_page_values(brand)) if paged else ""
    logo_uri = _data_uri(brand.logo) if brand.logo else ""
    faces = ""
    if webfonts and not paged:  # WeasyPrint reads the installed fonts directly
        from .webfonts import font_faces

        faces = font_faces(brand, edition_text(edition))
    return template.render(
        e=edition, r=edition.report, m=edition.report.meta, w=w, p=present, _=edition._,
        notes_style=notes, css=Markup(faces + "\n" + css), paged_css=Markup(paged_css), brand=brand,
        brand_css=css_variables(brand, edition.locale.is_cjk), logo_uri=logo_uri, paged=paged,
        folder=edition.report.folder.resolve())
