"""Write an Edition as one self-contained HTML5 page through the brand's Jinja2 templates.

Inline markup becomes escaped HTML here (markupsafe); blocks are laid out by the templates.
"""
from __future__ import annotations

import base64
import functools
import mimetypes
import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import presentation as present
from .brand import Brand
from .localize import Edition
from .model import BLOCKS, Rich, plain_text
from .walk import BlockVisitor, InlineVisitor, UnknownNode, iter_rich


class HtmlWriter(BlockVisitor, InlineVisitor):
    """Rich -> escaped HTML (call it); blocks -> the brand's per-kind macros in blocks.html.j2.
    Remembers which notes were referenced first where (for back-links)."""

    def __init__(self, edition: Edition, notes: str, env: jinja2.Environment, paged: bool = False):
        self.e = edition
        self.notes = notes
        self.paged = paged  # for print (WeasyPrint): tables keep their rows together by presentation.table_units
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

    # every block kind goes to the macro of its name: a new kind needs a macro, not a change here
    locals().update(dict.fromkeys(["block_" + kind.KIND for kind in BLOCKS], _macro))

    def row_groups(self, rows) -> list[tuple[list, bool]]:
        """A table's body rows as <tbody> groups, (rows, keep): on screen one; in print (`paged`) the
        runs of presentation.table_units (kept together), consecutive single rows sharing one group."""
        rows = list(rows)
        if not self.paged:
            return [(rows, False)]
        groups: list[tuple[list, bool]] = []
        for start, end in present.table_units(rows):
            keep = end - start > 1
            if groups and not keep and not groups[-1][1]:
                groups[-1][0].extend(rows[start:end])
            else:
                groups.append((rows[start:end], keep))
        return groups

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
        if n.auto:  # a URL printed as text: it may break only between its parts, never inside "https"
            return f'<a href="{escape(n.url)}" class="url">{url_breaks(plain_text(n.children))}</a>'
        return f'<a href="{escape(n.url)}">{self.nodes(n.children)}</a>'

    def inline_span(self, n) -> str:
        return f'<span lang="{escape(n.lang)}">{self.nodes(n.children)}</span>'

    def inline_cite(self, n) -> str:
        present.unexpanded_cite(n)

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


# A URL breaks after "//" and before a single "/", ".", ",", "-", "_", "?", "#", "%", "~", and before and
# after "=" and "&" (Chicago's rules); never inside a part such as "https" or a host name's label.
def url_breaks(url: str) -> Markup:
    """A URL as escaped text with <wbr> where it may break (presentation.url_pieces)."""
    return Markup("<wbr>".join(str(escape(p)) for p in present.url_pieces(url)))


# In a display title a short word stays with the next ("A Thousand"), as the Typst edition's rk-display
# does: the space after it becomes a no-break space (text between tags only).
_GLUE = re.compile(rf"({present.DISPLAY_GLUE}) (?=[^\s<])")


def display_title(markup) -> Markup:
    parts = re.split(r"(<[^>]*>)", str(markup))
    return Markup("".join(x if x.startswith("<") else _GLUE.sub("\\1\u00a0", x) for x in parts))


def report_url(e: Edition, brand: Brand | None) -> str:
    m = e.report.meta
    return m.url or ((brand.imprint_lines()["website"] or "") if brand else "")


def series_parts(e: Edition) -> list[str]:
    """The series and "Report No. 3" from the report's metadata, those it has (the Typst cover prints them
    too); a line of their own each on the printed cover, joined by " · " elsewhere."""
    m = e.report.meta
    parts = [m.series.plain()] if m.series else []
    if m.report_number:
        parts.append(e._("Report No. %(number)s", number=m.report_number))
    return parts


def citation(e: Edition, brand: Brand | None = None) -> Markup:
    """The suggested citation, made from the metadata (suggested_citation.suggested_citation: the text the
    Typst edition prints too): the title is a <cite>, the URL a link that breaks between its parts."""
    from .suggested_citation import suggested_citation

    url = e.report.meta.url
    out = []
    for kind, text in suggested_citation(e):
        if kind == "title":
            out.append(f"<cite>{escape(text)}</cite>")
        elif url and url in text:
            before, _, after = text.partition(url)
            out.append(f'{escape(before)}<a class="url" href="{escape(url)}">{url_breaks(url)}</a>{escape(after)}')
        else:
            out.append(str(escape(text)))
    return Markup("".join(out))


def built_pdfs(edition: Edition) -> list[tuple[str, str, str]]:
    """The PDFs the same build writes beside the HTML (`edition.siblings`, given by the build):
    (language tag, file name, language name), this edition's first, then its alternates'. Empty when
    the build makes no PDF (or the edition is rendered outside a build)."""
    names = {alt[0].bcp47: alt[2] for alt in edition.alternates}
    pdfs = [n for n in edition.siblings if n.endswith(".pdf")]
    own = f"{edition.report.id}.{edition.locale.bcp47}."
    out = [(edition.locale.bcp47, n, "") for n in pdfs if n.startswith(own)]
    for lang, name in names.items():
        out += [(lang, n, name) for n in pdfs if n.startswith(f"{edition.report.id}.{lang}.")]
    return out


def og_locale(e: Edition) -> str:
    """Open Graph's locale (language_TERRITORY): en -> en_US, zh-Hant -> zh_TW."""
    babel = e.locale.babel.split("_")
    region = next((x for x in babel[1:] if x.isupper() and len(x) == 2), "")
    return f"{babel[0]}_{region or ('US' if babel[0] == 'en' else babel[0].upper())}"


def description(e: Edition) -> str:
    """A sentence or two for link previews: the first paragraph of the first chapter, else the subtitle."""
    m = e.report.meta
    for ch in e.report.chapters:
        for b in ch.blocks:
            if type(b).KIND == "para":
                text = b.text.plain().strip()
                if len(text) > 220:
                    cut = text[:220]
                    text = cut[: max(cut.rfind(" "), 160) if not e.locale.is_cjk else 200].rstrip(" ,;:") + "…"
                return text
        break
    return m.subtitle.plain() if m.subtitle else m.title.plain()


def _data_uri(path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


@functools.lru_cache(maxsize=8)
def _environment(brand_folder: str, base_folder: str) -> jinja2.Environment:
    from . import cache

    loader = jinja2.FileSystemLoader([f"{brand_folder}/html", f"{base_folder}/html"])
    # compiled templates are kept in the user cache (Jinja keys them by the template's source), so a
    # new process does not compile them again
    bytecode = None
    if cache.enabled():
        folder = cache.cache_dir() / "jinja"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(folder))
        except OSError:
            bytecode = None
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, bytecode_cache=bytecode)
    env.globals["data_uri"] = _data_uri
    env.filters["display"] = display_title
    return env


def _base_folder(brand: Brand) -> Path:
    """The styles/base a brand inherits from (the project's own, else reportkit's)."""
    return Path(brand.base or Path(__file__).parent / "styles" / "base")


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
    lines += [f"--serif: {serif};", f"--sans: {sans};", f'--cjk-serif: "{f["cjk"]["serif"]}", serif;', f'--latin-serif: "{f["latin"]["serif"]}", "{f["cjk"]["serif"]}", serif;',
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
    parts += [citation(edition).striptags(), *series_parts(edition)]
    parts += [edition._(w) for w in _ui_words()] + [present.date_text(edition), present.term_separator(edition),
                                                   present.source_prefix(edition), present.attribution_prefix(edition),
                                                   present.caption_separator(edition), present.NOTE_SEPARATOR,
                                                   present.DIGIT_GAP, "↩0123456789"]
    return "".join(parts)


def _ui_words():
    from .ui_strings import LABELS, WORDS

    return list(WORDS) + [LABELS[k] % {"number": ""} for k in LABELS]


def render_html(edition: Edition, brand: Brand, notes: str, paged: bool = False, webfonts: bool = False,
                pdfs: list | None = None) -> str:
    """Edition -> one HTML page. `paged` adds the CSS Paged Media sheet used by the WeasyPrint engine.
    `pdfs`: (language tag, file name, language name) of the PDFs beside the page; by default the ones
    the running build makes (built_pdfs)."""
    edition = present.typeset(edition, present.bibliography_on(edition.report, brand))
    env = _environment(str(brand.folder), str(_base_folder(brand)))
    w = HtmlWriter(edition, notes, env, paged)
    template = env.get_template("report.html.j2")
    css = env.get_template("report.css").render()
    # Typst's leading is the gap between a line's baseline and the next line's cap height: the
    # line pitch is about the cap height (0.72 em in Noto and Noto CJK) plus the leading
    pitch = 0.72 + brand.type["cjk-leading" if edition.locale.is_cjk else "body-leading"]
    paged_css = env.get_template("paged.css").render(**_page_values(brand), cjk=edition.locale.is_cjk,
                                                     line_pitch=f"{pitch:.2f}") if paged else ""
    logo_uri = _data_uri(brand.logo) if brand.logo else ""
    art = brand.cover_art
    art_uri = _data_uri(art) if art and paged else ""
    faces = ""
    if webfonts and not paged:  # WeasyPrint reads the installed fonts directly
        from .webfonts import font_faces

        faces = font_faces(brand, edition_text(edition))
    return template.render(
        e=edition, r=edition.report, m=edition.report.meta, w=w, p=present, _=edition._,
        notes_style=notes, css=Markup(faces + "\n" + css), paged_css=Markup(paged_css), brand=brand,
        brand_css=css_variables(brand, edition.locale.is_cjk), logo_uri=logo_uri, paged=paged,
        folder=edition.report.folder.resolve(), art_uri=art_uri,
        citation=citation(edition, brand), series=series_parts(edition), imprint=brand.imprint_lines(),
        url=report_url(edition, brand), og_locale=og_locale(edition), description=description(edition),
        pdfs=built_pdfs(edition) if pdfs is None else pdfs)
