"""Import a Word document (.docx) into a report folder: `reportkit import draft.docx --to content/ID`.

Pandoc reads the document (`pandoc -f docx+styles -t json --extract-media`); this module maps its
JSON AST onto reportkit's content format:

- Heading 1 -> a chapter file; Heading 2/3 -> sections (deeper headings: a bold paragraph, reported).
  When the document has no Heading 1 its top level counts as chapters; a single top-level heading
  above all others is the document title.
- paragraphs with emphasis, strong, links; footnotes and endnotes -> notes `[^nN]` (texts under the
  chapter's `notes:`); Chinese runs -> `[...]{lang=zh-Hant|zh-Hans}` (reportkit.langtag).
- tables -> `table` (merged cells -> `colspan`; a row merged across the whole table -> a group row;
  vertical merges are split, reported); caption from the table or an adjacent caption paragraph,
  a following "Source: ..." paragraph -> the source line.
- block quotes (indented or Quote-styled paragraphs) -> `quote`, a last or following paragraph
  starting with an em dash -> its attribution.
- images -> `figure` (file copied into figures/, alt text from the image description, caption from
  an adjacent caption paragraph).
- bullet and numbered lists -> `list`; definition lists -> `terms`.

Everything it cannot map is listed with its place in the document: returned, printed by the command,
and written to IMPORT-NOTES.md in the report folder.
"""
from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import inline, langtag
from .inline import LANG_TAG, escape
from .errors import Diagnostic, Loc, ReportError
from .model import Emph, Link, NoteRef, Span, Strong, Text, plain_text

QUOTE_STYLES = {"quote", "quotations", "intense quote", "block text", "block quote", "blockquote", "quotation"}
CAPTION_STYLES = {"caption", "image caption", "table caption", "figure", "illustration", "figure caption", "drawing"}
_FIG_LABEL = re.compile(r"^\s*(?:figure|fig\.?|chart|exhibit|圖|图)\s*[0-9０-９]+(?:[.\-–][0-9]+)?\s*[.:：．、—–-]?\s*", re.I)
_TAB_LABEL = re.compile(r"^\s*(?:table|tab\.?|表)\s*[0-9０-９]+(?:[.\-–][0-9]+)?\s*[.:：．、—–-]?\s*", re.I)
_SOURCE = re.compile(r"^\s*(?:sources?|資料來源|资料来源|來源|来源)\s*[:：]\s*", re.I)
_NUMBER = re.compile(r"^\s*(?:(?:chapter|section|part|appendix|第)\s*)?[0-9]+(?:\.[0-9]+)*\.?(?:\s*章)?\s+(?=\S)", re.I)
_ATTRIBUTION = re.compile(r"^\s*(?:\u2014\u2014|[\u2014\u2015]|--)\s*")
IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}


@dataclass
class Unmapped:
    place: str
    what: str

    def __str__(self) -> str:
        return f"{self.place}: {self.what}"


@dataclass
class ImportResult:
    folder: Path
    files: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def pandoc_json(docx: Path, media_dir: Path) -> dict:
    exe = shutil.which("pandoc")
    if not exe:
        raise ReportError([Diagnostic(Loc(str(docx)), "pandoc is not installed; install it (apt-get install -y pandoc) "
                                                      "and run the import again")])
    try:
        run = subprocess.run([exe, "-f", "docx+styles", "-t", "json", f"--extract-media={media_dir}", str(docx)],
                             capture_output=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise ReportError([Diagnostic(Loc(str(docx)), "pandoc took more than 10 minutes to read the document")])
    if run.returncode != 0:
        msg = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportError([Diagnostic(Loc(str(docx)), f"pandoc cannot read this document ({msg[-1] if msg else 'exit ' + str(run.returncode)}); "
                                                      "is it a Word .docx file?")])
    return json.loads(run.stdout)


# ---- inline markup ----




def markup(nodes) -> str:
    out = []
    for n in nodes:
        if isinstance(n, Text):
            out.append(escape(n.text))
        elif isinstance(n, Emph):
            out.append("*" + markup(n.children) + "*")
        elif isinstance(n, Strong):
            out.append("**" + markup(n.children) + "**")
        elif isinstance(n, Link):
            if n.auto:
                out.append(f"<{n.url}>")
            else:
                out.append("[" + markup(n.children) + "](" + n.url + ")")
        elif isinstance(n, NoteRef):
            out.append(f"[^{n.id}]")
        elif isinstance(n, Span):
            out.append("[" + markup(n.children) + "]{lang=" + n.lang + "}")
    return "".join(out)


def _shape(nodes) -> tuple:
    out = []
    for n in inline._merge(list(nodes)):
        if isinstance(n, Text):
            out.append(("t", n.text))
        elif isinstance(n, NoteRef):
            out.append(("n", n.id))
        elif isinstance(n, Link):
            out.append(("l", n.url, n.auto, _shape(n.children)))
        elif isinstance(n, Span):
            out.append(("s", n.lang, _shape(n.children)))
        else:
            out.append((type(n).__name__, _shape(n.children)))
    return tuple(out)


def _strip_style(nodes) -> list:
    out = []
    for n in nodes:
        if isinstance(n, (Emph, Strong)):
            out.extend(_strip_style(n.children))
        elif isinstance(n, (Link, Span)):
            out.append(type(n)(**{**n.__dict__, "children": _strip_style(n.children)}))
        else:
            out.append(n)
    return out


def _tidy(nodes) -> list:
    """Merge texts, drop empty emphasis, move spaces out of emphasis (the markup needs `*word*`),
    unwrap emphasis inside the same emphasis, and merge neighbouring runs of the same style."""
    out: list = []
    for n in nodes:
        if isinstance(n, (Emph, Strong)):
            kids = _tidy(n.children)
            kids = [k for c in kids for k in (c.children if type(c) is type(n) else [c])]
            kids = inline._merge(kids)
            lead = trail = ""
            if kids and isinstance(kids[0], Text):
                s = kids[0].text
                lead = s[: len(s) - len(s.lstrip())]
                kids[0] = Text(s.lstrip())
            if kids and isinstance(kids[-1], Text):
                s = kids[-1].text
                trail = s[len(s.rstrip()):]
                kids[-1] = Text(s.rstrip())
            kids = inline._merge(kids)
            if lead:
                out.append(Text(lead))
            if kids and plain_text(kids).strip() or any(isinstance(k, NoteRef) for k in kids):
                if out and type(out[-1]) is type(n):
                    out[-1] = type(n)(inline._merge(list(out[-1].children) + kids))
                else:
                    out.append(type(n)(kids))
            if trail:
                out.append(Text(trail))
        elif isinstance(n, (Link, Span)):
            out.append(type(n)(**{**n.__dict__, "children": _tidy(n.children)}))
        else:
            out.append(n)
    return inline._merge(out)


# ---- the converter ----


def _slug(text: str, limit: int = 40) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:limit].rstrip("-")


def _style(block) -> str:
    if block.get("t") == "Div":
        for k, v in block["c"][0][2]:
            if k == "custom-style":
                return v.lower()
    return ""


def _inlines_text(inlines) -> str:
    """Plain text of pandoc inlines (for places, captions and tests)."""
    out = []
    for i in inlines:
        t, c = i["t"], i.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(_inlines_text(c))
        elif t in ("Span", "Link", "Quoted", "Cite"):
            out.append(_inlines_text(c[1] if t != "Cite" else c[1]))
        elif t == "Code":
            out.append(c[1])
    return "".join(out)


class Converter:
    def __init__(self, lang: str, figures: Path, media_root: Path):
        self.lang, self.figures, self.media_root = lang, figures, media_root
        self.unmapped: list[Unmapped] = []
        self.chapters: list[dict] = []  # {"file", "id", "title", "numbered", "blocks", "notes"}
        self.ids: set[str] = set()
        self.note_count = 0
        self.counts = {"chapters": 0, "sections": 0, "paragraphs": 0, "notes": 0, "tables": 0, "figures": 0,
                       "quotes": 0, "lists": 0, "spans": 0}
        self.path: list[str] = []  # headings above the current place
        self.para_no = 0
        self.chapter: dict | None = None
        self.stack: list[tuple[int, list]] = []  # (level, blocks list) of the open chapter and sections
        self.figure_names: set[str] = set()
        self.numbers_removed = 0

    # -- places and reports --
    def place(self, snippet: str = "") -> str:
        where = " > ".join(f"\u201c{h}\u201d" for h in self.path) or "before the first heading"
        where += f", paragraph {self.para_no}" if self.para_no else ""
        if snippet:
            snippet = " ".join(snippet.split())
            where += f" (\u201c{snippet[:50]}{'…' if len(snippet) > 50 else ''}\u201d)"
        return where

    def report(self, what: str, snippet: str = "") -> None:
        self.unmapped.append(Unmapped(self.place(snippet), what))

    def new_id(self, prefix: str, text: str) -> str:
        base = f"{prefix}-{_slug(text) or len(self.ids) + 1}"
        ident, n = base, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        return ident

    # -- inline --
    def inlines(self, items, snippet_ctx: str = "") -> list:
        out: list = []
        for i, node in enumerate(items):
            t, c = node["t"], node.get("c")
            if t == "Str":
                out.append(Text(c))
            elif t in ("Space", "SoftBreak"):
                out.append(Text(" "))
            elif t == "LineBreak":
                out.append(Text(" "))
                self.report("a line break inside a paragraph became a space", snippet_ctx)
            elif t == "Emph":
                out.append(Emph(self.inlines(c, snippet_ctx)))
            elif t == "Strong":
                out.append(Strong(self.inlines(c, snippet_ctx)))
            elif t in ("Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
                kids = self.inlines(c, snippet_ctx)
                out.extend(kids)
                self.report(f"{t.lower()} formatting dropped (text kept: \u201c{plain_text(kids)[:30]}\u201d)", snippet_ctx)
            elif t == "Quoted":
                q = ("\u201c", "\u201d") if c[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
                out += [Text(q[0]), *self.inlines(c[1], snippet_ctx), Text(q[1])]
            elif t == "Cite":
                out.extend(self.inlines(c[1], snippet_ctx))
            elif t == "Code":
                out.append(Text(c[1]))
            elif t == "Math":
                out.append(Text(c[1]))
                self.report("an equation was kept as its TeX source text", c[1])
            elif t == "RawInline":
                self.report(f"raw {c[0]} content dropped", c[1][:40])
            elif t == "Span":
                attrs = dict(c[0][2])
                kids = self.inlines(c[1], snippet_ctx)
                lang = attrs.get("lang")
                if lang and re.fullmatch(LANG_TAG, lang) and lang.split("-")[0] != self.lang.split("-")[0]:
                    out.append(Span(lang, kids))
                else:
                    out.extend(kids)
            elif t == "Link":
                kids = self.inlines(c[1], snippet_ctx)
                url = c[2][0]
                if url.startswith(inline.SAFE_SCHEMES):
                    url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
                    if plain_text(kids) == c[2][0] and all(isinstance(k, Text) for k in kids) and not re.search(r"[\s<>]", url):
                        out.append(Link(url, [Text(url)], auto=True))
                    else:
                        out.append(Link(url, kids or [Text(url)]))
                else:
                    out.extend(kids)
                    if not url.startswith("#"):
                        self.report(f"link to \u201c{url[:60]}\u201d kept as text (only http, https and mailto links are kept)",
                                    plain_text(kids))
            elif t == "Image":
                self.report("an image inside running text was left out (only an image in a paragraph of its own "
                            "becomes a figure)", snippet_ctx)
            elif t == "Note":
                while out and isinstance(out[-1], Text) and out[-1].text.endswith("\u2060"):
                    out[-1] = Text(out[-1].text.rstrip("\u2060"))
                out.append(self.note(c))
            else:
                self.report(f"inline element {t} dropped", snippet_ctx)
        return out

    def note(self, blocks) -> NoteRef:
        self.note_count += 1
        ident = f"n{self.note_count}"
        parts = []
        for b in self.flat(blocks):
            kind = b["t"]
            if kind in ("Para", "Plain"):
                parts.append(self.rich(b["c"], "a note"))
            elif kind in ("BulletList", "OrderedList"):
                items = b["c"] if kind == "BulletList" else b["c"][1]
                for item in items:
                    for ib in self.flat(item):
                        if ib["t"] in ("Para", "Plain"):
                            parts.append(self.rich(ib["c"], "a note"))
                self.report(f"note {ident}: a list inside the note was run into its text")
            else:
                self.report(f"note {ident}: a {kind} inside the note was left out")
        if len(parts) > 1:
            self.report(f"note {ident}: its {len(parts)} paragraphs were joined into one")
        text = " ".join(p for p in parts if p.strip()).strip()
        self.chapter_notes()[ident] = text or "(empty note)"
        self.counts["notes"] += 1
        return NoteRef(ident)

    def chapter_notes(self) -> dict:
        if self.chapter is None:
            self.open_chapter(None)
        return self.chapter["notes"]

    def rich(self, items, snippet_ctx: str = "") -> str:
        """Pandoc inlines -> inline markup text, checked by parsing it back."""
        snippet = _inlines_text(items)
        nodes = _tidy(self.inlines(items, snippet))
        # a note marker's own Span (Word's "Footnote Characters") and leading spaces are not content
        while nodes and isinstance(nodes[0], Text) and not nodes[0].text.strip():
            nodes.pop(0)
        if nodes and isinstance(nodes[0], Text):
            nodes[0] = Text(nodes[0].text.lstrip())
        if nodes and isinstance(nodes[-1], Text):
            nodes[-1] = Text(nodes[-1].text.rstrip())
        nodes = [Text(re.sub(r"[ \t\n\u00a0]{2,}", lambda m: " " if "\u00a0" not in m.group() else m.group(), n.text))
                 if isinstance(n, Text) else n for n in nodes]
        nodes = langtag.tag_runs(inline._merge(nodes), self.lang)
        self.counts["spans"] += sum(isinstance(n, Span) for n in nodes)
        text = markup(nodes)
        try:
            ok = _shape(inline.parse(text)) == _shape(nodes)
        except inline.InlineError:
            ok = False
        if not ok:
            plainer = _tidy(_strip_style(nodes))
            text = markup(plainer)
            self.report("emphasis that the inline markup cannot express here was dropped", snippet)
        return text

    # -- blocks --
    def flat(self, blocks) -> list:
        """Blocks with plain Divs unwrapped; a quote- or caption-styled paragraph keeps its Div."""
        out = []
        for b in blocks:
            if b["t"] == "Div":
                style = _style(b)
                if style in QUOTE_STYLES or style in CAPTION_STYLES:
                    for inner in self.flat(b["c"][1]):
                        out.append({"t": "Div", "c": [["", [], [["custom-style", style]]], [inner]]}
                                   if inner["t"] in ("Para", "Plain") else inner)
                else:
                    out.extend(self.flat(b["c"][1]))
            else:
                out.append(b)
        return out

    def open_chapter(self, title: str | None, numbered: bool = True) -> None:
        if title is None:
            title, numbered = "Preface", False
            self.report("text before the first chapter heading went into an unnumbered chapter titled \u201cPreface\u201d; "
                        "retitle or move it")
        ident = self.new_id("ch", title)
        name = f"{len(self.chapters) + 1:02d}-{ident[3:] or 'chapter'}.yaml"
        self.chapter = {"file": name, "id": ident, "title": title, "numbered": numbered, "blocks": [], "notes": {}}
        self.chapters.append(self.chapter)
        self.stack = [(1, self.chapter["blocks"])]
        self.counts["chapters"] += 1

    def emit(self, block: dict) -> None:
        if self.chapter is None:
            self.open_chapter(None)
        self.stack[-1][1].append(block)

    def heading(self, level: int, items) -> None:
        typed_number = bool(_NUMBER.match(_inlines_text(items))) and level <= 3
        if typed_number:  # reportkit numbers chapters and sections itself
            items = self.drop_label(items, _NUMBER)
            self.numbers_removed += 1
        title = self.rich(items, "a heading")
        text = _inlines_text(items).strip()
        if not text:
            return
        self.para_no = 0
        if level <= 1:
            self.path = [text]
            self.open_chapter(title)
            self.chapter["typed_number"] = typed_number
            return
        if level > 3:
            self.path = self.path[:3] + [text]
            self.emit({"p": f"**{title}**" if "*" not in title else title})
            self.report(f"a level-{level} heading became a bold paragraph (sections nest 3 levels deep at most)", text)
            return
        if self.chapter is None:
            self.open_chapter(None)
        while self.stack[-1][0] >= level:
            self.stack.pop()
        while len(self.path) >= level:
            self.path.pop()
        self.path.append(text)
        blocks: list = []
        self.stack[-1][1].append({"section": {"id": self.new_id("sec", text), "title": title, "blocks": blocks}})
        self.stack.append((level, blocks))
        self.counts["sections"] += 1

    def convert(self, doc: dict) -> None:
        blocks = self.flat(doc["blocks"])
        headings = [b["c"][0] for b in blocks if b["t"] == "Header"]
        shift = 0
        if headings:
            top = min(headings)
            shift = top - 1
            first_heading = next(i for i, b in enumerate(blocks) if b["t"] == "Header")
            if headings.count(top) == 1 and len(headings) > 1 and blocks[first_heading]["c"][0] == top:
                # one top heading above all the others: the document's title
                self.title_heading = _inlines_text(blocks[first_heading]["c"][2]).strip()
                blocks = blocks[:first_heading] + blocks[first_heading + 1:]
                shift += 1
        self.shift = shift
        self.run(blocks)
        if self.numbers_removed:
            self.unmapped.append(Unmapped("headings", f"{self.numbers_removed} headings began with a typed number "
                                                      "(\u201cChapter 2\u201d, \u201c2.3\u201d): removed, as reportkit numbers them"))
            if any(ch.get("typed_number") for ch in self.chapters):
                for ch in self.chapters:
                    if not ch.get("typed_number"):
                        ch["numbered"] = False

    def run(self, blocks: list) -> None:
        i = 0
        while i < len(blocks):
            i = self.block(blocks, i)

    def block(self, blocks: list, i: int) -> int:
        """Convert blocks[i] (and the neighbours it takes, such as a caption); the next index."""
        b = blocks[i]
        t, c = b["t"], b.get("c")
        style = _style(b)
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if t == "Header":
            self.heading(c[0] - self.shift, c[2])
            return i + 1
        if t == "Div" and style in CAPTION_STYLES:
            para = c[1][0]
            if nxt is not None and nxt["t"] == "Table":
                return self.table(nxt, caption=para["c"], source_from=blocks, at=i + 2)
            if nxt is not None and self.image_of(nxt) is not None:
                return self.figure(self.image_of(nxt), caption=para["c"], blocks=blocks, at=i + 2)
            self.para_no += 1
            self.emit({"p": self.rich(para["c"])})
            self.report("a caption paragraph next to no table or figure was kept as a paragraph", _inlines_text(para["c"]))
            return i + 1
        if t == "Div" and style in QUOTE_STYLES or t == "BlockQuote":
            quote_blocks = []
            j = i
            while j < len(blocks) and (blocks[j]["t"] == "BlockQuote" or blocks[j]["t"] == "Div" and _style(blocks[j]) in QUOTE_STYLES):
                quote_blocks += self.flat(blocks[j]["c"] if blocks[j]["t"] == "BlockQuote" else blocks[j]["c"][1])
                j += 1
            return self.quote(quote_blocks, blocks, j)
        if t in ("Para", "Plain"):
            image = self.image_of(b)
            if image is not None:
                return self.figure(image, caption=None, blocks=blocks, at=i + 1)
            text = _inlines_text(c)
            if not text.strip() and not any(x["t"] == "Note" for x in c):
                return i + 1
            if _TAB_LABEL.match(text) and nxt is not None and nxt["t"] == "Table":
                return self.table(nxt, caption=c, source_from=blocks, at=i + 2)
            if _FIG_LABEL.match(text) and nxt is not None and self.image_of(nxt) is not None:
                return self.figure(self.image_of(nxt), caption=c, blocks=blocks, at=i + 2)
            self.para_no += 1
            self.emit({"p": self.rich(c)})
            self.counts["paragraphs"] += 1
            return i + 1
        if t == "Table":
            return self.table(b, caption=None, source_from=blocks, at=i + 1)
        if t in ("BulletList", "OrderedList"):
            self.para_no += 1
            self.emit(self.list_block(b))
            return i + 1
        if t == "DefinitionList":
            self.para_no += 1
            self.emit({"terms": self.terms(c)})
            return i + 1
        self.para_no += 1
        if t == "CodeBlock":
            self.emit({"p": escape(" ".join(c[1].split()))})
            self.report("a code block became a paragraph (its line breaks are lost)", c[1])
        elif t == "LineBlock":
            self.emit({"p": " ".join(self.rich(line) for line in c)})
            self.report("a block of separate lines became one paragraph", _inlines_text(c[0]) if c else "")
        elif t == "HorizontalRule":
            self.report("a horizontal rule was left out")
        elif t == "RawBlock":
            self.report(f"raw {c[0]} content was left out", c[1][:40])
        elif t == "Null":
            pass
        else:
            self.report(f"a {t} block was left out")
        return i + 1

    def image_of(self, b) -> dict | None:
        if b is None or b["t"] not in ("Para", "Plain"):
            return None
        items = [x for x in b["c"] if x["t"] not in ("Space", "SoftBreak", "LineBreak")]
        if len(items) == 1 and items[0]["t"] == "Image":
            return items[0]
        return None

    def quote(self, qblocks: list, blocks: list, j: int) -> int:
        self.para_no += 1
        body: list = []
        attribution = None
        paras = [b for b in qblocks if b["t"] in ("Para", "Plain")]
        for b in qblocks:
            if b["t"] in ("Para", "Plain"):
                text = _inlines_text(b["c"])
                if b is paras[-1] and len(paras) > 1 and _ATTRIBUTION.match(text):
                    attribution = self.rich(self.drop_dash(b["c"]))
                    continue
                if text.strip():
                    body.append({"p": self.rich(b["c"])})
            elif b["t"] in ("BulletList", "OrderedList"):
                body.append(self.list_block(b))
            else:
                self.report(f"a {b['t']} inside a block quote was left out")
        if attribution is None and j < len(blocks) and blocks[j]["t"] in ("Para", "Plain") \
                and _ATTRIBUTION.match(_inlines_text(blocks[j]["c"])):
            attribution = self.rich(self.drop_dash(blocks[j]["c"]))
            j += 1
        if not body:
            return j
        q: dict = {"text": body[0]["p"]} if len(body) == 1 and "p" in body[0] else {"blocks": body}
        if attribution:
            q["attribution"] = attribution
        self.emit({"quote": q})
        self.counts["quotes"] += 1
        return j

    @staticmethod
    def drop_dash(items) -> list:
        items = list(items)
        while items and items[0]["t"] in ("Space", "SoftBreak"):
            items.pop(0)
        if items and items[0]["t"] == "Str":
            rest = _ATTRIBUTION.sub("", items[0]["c"], count=1)
            items[0] = {"t": "Str", "c": rest}
            if not rest:
                items.pop(0)
        return items

    def list_block(self, b) -> dict:
        ordered = b["t"] == "OrderedList"
        items_in = b["c"][1] if ordered else b["c"]
        items = []
        for item in items_in:
            parts = self.flat(item)
            text, rest = "", []
            if parts and parts[0]["t"] in ("Para", "Plain"):
                text = self.rich(parts[0]["c"])
                parts = parts[1:]
            for p in parts:
                if p["t"] in ("Para", "Plain"):
                    rest.append({"p": self.rich(p["c"])})
                elif p["t"] in ("BulletList", "OrderedList"):
                    rest.append(self.list_block(p))
                elif p["t"] == "DefinitionList":
                    rest.append({"terms": self.terms(p["c"])})
                else:
                    self.report(f"a {p['t']} inside a list item was left out")
            items.append({"text": text, "blocks": rest} if rest else text)
        self.counts["lists"] += 1
        out: dict = {"items": items}
        if ordered:
            out = {"ordered": True, **out}
        return {"list": out}

    def terms(self, entries) -> list:
        out = []
        for term, defs in entries:
            texts = []
            for d in defs:
                for p in self.flat(d):
                    if p["t"] in ("Para", "Plain"):
                        texts.append(self.rich(p["c"]))
                    else:
                        self.report(f"a {p['t']} inside a definition was left out")
            term_text = self.rich(term)
            term_text = re.sub(r"\s*[:：]\s*$", "", term_text)
            out.append({"term": term_text, "text": " ".join(texts)})
        return out

    # -- figures --
    def figure(self, image: dict, caption, blocks: list, at: int) -> int:
        self.para_no += 1
        attr, alt_items, (target, title) = image["c"]
        nxt = blocks[at] if at < len(blocks) else None
        if caption is None and nxt is not None:
            if nxt["t"] == "Div" and _style(nxt) in CAPTION_STYLES:
                caption, at = nxt["c"][1][0]["c"], at + 1
            elif nxt["t"] in ("Para", "Plain") and _FIG_LABEL.match(_inlines_text(nxt["c"])):
                caption, at = nxt["c"], at + 1
        alt = " ".join(_inlines_text(alt_items).split()) or (title or "").removeprefix("fig:").strip()
        caption_text = ""
        if caption is not None:
            caption_text = self.rich(self.drop_label(caption, _FIG_LABEL))
        src = Path(target) if Path(target).is_absolute() else self.media_root / target
        fig: dict = {"id": "", "caption": caption_text}
        ident = self.new_id("fig", _inlines_text(caption or []) and _FIG_LABEL.sub("", _inlines_text(caption)) or Path(target).stem)
        fig["id"] = ident
        suffix = src.suffix.lower()
        if suffix == ".jpeg":
            suffix = ".jpg"
        from .load import image_problem

        if src.is_file() and suffix in IMAGE_SUFFIXES and image_problem(src) is None:
            name = f"{ident.removeprefix('fig-') or 'figure'}{suffix}"
            self.figures.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, self.figures / name)
            fig["image"] = f"figures/{name}"
        else:
            why = "was not found in the document" if not src.is_file() else (
                f"is a {src.suffix or 'file of unknown type'} (reportkit draws SVG, PNG, JPEG, GIF and WebP)"
                if suffix not in IMAGE_SUFFIXES else f"cannot be drawn ({image_problem(src)})")
            fig["placeholder"] = escape(f"Image {Path(target).name} from the Word document; convert it to SVG or PNG")
            self.report(f"image {Path(target).name} {why}; the figure is a placeholder", alt or caption_text)
        if not caption_text:
            fig["caption"] = escape(alt[:80]) if alt else escape(Path(target).stem)
            self.report("figure without a caption paragraph: its caption is its description or file name; write one",
                        alt or Path(target).name)
        if not alt:
            alt = plain_text(inline.parse(fig["caption"]))
            self.report("image without a description (alt text): the caption was used; describe the image", alt)
        fig["alt"] = escape(alt)
        # a source line right after the figure
        if at < len(blocks) and blocks[at]["t"] in ("Para", "Plain") and _SOURCE.match(_inlines_text(blocks[at]["c"])):
            fig["source"] = self.rich(self.drop_label(blocks[at]["c"], _SOURCE))
            at += 1
        self.emit({"figure": fig})
        self.counts["figures"] += 1
        return at

    @staticmethod
    def drop_label(items, pattern) -> list:
        """The inlines without a leading "Figure 3:" / "Table 2." / "Source:" label."""
        text = _inlines_text(items)
        m = pattern.match(text)
        if not m:
            return list(items)
        n = m.end()
        out = list(items)
        while out and n > 0:
            first = out[0]
            length = len(_inlines_text([first]))
            if length <= n and first["t"] in ("Str", "Space", "SoftBreak"):
                out.pop(0)
                n -= length
            elif first["t"] == "Str":
                out[0] = {"t": "Str", "c": first["c"][n:]}
                n = 0
            else:
                break
        return out

    # -- tables --
    def table(self, b: dict, caption, source_from: list, at: int) -> int:
        self.para_no += 1
        attr, tcaption, colspecs, head, bodies, foot = b["c"]
        ncols = len(colspecs)
        cap_blocks = self.flat(tcaption[1]) if tcaption and tcaption[1] else []
        if caption is None and cap_blocks:
            caption = [x for blk in cap_blocks if blk["t"] in ("Para", "Plain") for x in blk["c"]]
        nxt = source_from[at] if at < len(source_from) else None
        if caption is None and nxt is not None and (nxt["t"] == "Div" and _style(nxt) in CAPTION_STYLES
                                                    or nxt["t"] in ("Para", "Plain") and _TAB_LABEL.match(_inlines_text(nxt["c"]))):
            caption = nxt["c"][1][0]["c"] if nxt["t"] == "Div" else nxt["c"]
            at += 1
        head_rows = head[1]
        body_rows = [r for body in bodies for r in body[2] + body[3]]
        foot_rows = foot[1]
        if foot_rows:
            body_rows += foot_rows
        grid_rows = self.grid(head_rows + body_rows, ncols)
        head_grid, body_grid = grid_rows[:len(head_rows)], grid_rows[len(head_rows):]
        if not head_grid and body_grid:
            head_grid, body_grid = body_grid[:1], body_grid[1:]
            self.report("a table without a header row: its first row became the column titles")
        if len(head_grid) > 1:
            self.report(f"a table with {len(head_grid)} header rows: the first gives the column titles, the others "
                        "became ordinary rows")
            body_grid = head_grid[1:] + body_grid
            head_grid = head_grid[:1]
        titles = [""] * ncols
        if head_grid:
            col = 0
            for cell in head_grid[0]:
                titles[col] = " ".join(self.cell_texts(cell["blocks"])) if cell["blocks"] else ""
                if cell["colspan"] > 1:
                    self.report("a header cell spanning several columns: its title is on the first of them")
                col += cell["colspan"]
        aligns = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}
        widths = [spec[1].get("c") if isinstance(spec[1], dict) and spec[1].get("t") == "ColWidth" else None for spec in colspecs]
        known = [w for w in widths if w]
        columns = []
        for k, spec in enumerate(colspecs):
            colm: dict = {"title": titles[k]}
            align = aligns.get(spec[0]["t"] if isinstance(spec[0], dict) else spec[0])
            if align and align != "left":
                colm["align"] = align
            if known and len(set(round(w, 2) for w in known)) > 1:
                w = widths[k] or (sum(known) / len(known))
                colm["width"] = round(w / min(known), 2)
            columns.append(colm)
        rows = []
        for row in body_grid:
            if len(row) == 1 and row[0]["colspan"] == ncols and ncols > 1 and len(row[0]["blocks"]) <= 1 \
                    and all(x["t"] in ("Para", "Plain") for x in row[0]["blocks"]):
                rows.append({"group": self.cell_texts(row[0]["blocks"])[0] if row[0]["blocks"] else ""})
                continue
            cells = []
            for cell in row:
                value = self.cell_value(cell["blocks"])
                if cell["colspan"] > 1:
                    value = {"text": value, "colspan": cell["colspan"]} if isinstance(value, str) else {**value, "colspan": cell["colspan"]}
                cells.append(value)
            rows.append(cells)
        ident = self.new_id("tab", _TAB_LABEL.sub("", _inlines_text(caption)) if caption else f"{self.counts['tables'] + 1}")
        table: dict = {"id": ident}
        if caption:
            table["caption"] = self.rich(self.drop_label(caption, _TAB_LABEL))
        else:
            table["caption"] = f"Table {self.counts['tables'] + 1}"
            self.report("table without a caption: it is called by its number; write a caption",
                        " | ".join(t for t in titles if t))
        if at < len(source_from) and source_from[at]["t"] in ("Para", "Plain") and _SOURCE.match(_inlines_text(source_from[at]["c"])):
            table["source"] = self.rich(self.drop_label(source_from[at]["c"], _SOURCE))
            at += 1
        table["columns"] = columns
        table["rows"] = rows
        self.emit({"table": table})
        self.counts["tables"] += 1
        return at

    def grid(self, rows, ncols: int) -> list:
        """Rows of {"blocks", "colspan"} cells, every row filling ncols: a cell merged down (row span)
        keeps its text in its first row, and the rows below get an empty cell in its place."""
        pending: dict[int, tuple[int, int]] = {}  # column -> (rows still covered, colspan)
        out = []
        for r in rows:
            cells_in = list(r[1])
            row, col = [], 0
            while col < ncols and (cells_in or col in pending):
                if col in pending:
                    left, span = pending[col]
                    row.append({"blocks": [], "colspan": span})
                    pending[col] = (left - 1, span)
                    if left - 1 <= 0:
                        del pending[col]
                    col += span
                    continue
                cell = cells_in.pop(0)
                _attr, _align, rowspan, colspan, blocks = cell
                rowspan = rowspan if isinstance(rowspan, int) else rowspan.get("c", 1)
                colspan = colspan if isinstance(colspan, int) else colspan.get("c", 1)
                colspan = max(1, min(colspan, ncols - col))
                if rowspan > 1:
                    pending[col] = (rowspan - 1, colspan)
                    self.report(f"a cell merged across {rowspan} rows: its text is in the first row and the cells "
                                "below are empty (tables have column spans only)", _inlines_text(
                                    [x for blk in self.flat(blocks) if blk["t"] in ("Para", "Plain") for x in blk["c"]]))
                row.append({"blocks": self.flat(blocks), "colspan": colspan})
                col += colspan
            if cells_in:
                self.report(f"a table row with more cells than the table's {ncols} columns: the extra cells were left out")
            if col < ncols:
                row.append({"blocks": [], "colspan": ncols - col}) if not row else row.extend(
                    {"blocks": [], "colspan": 1} for _ in range(ncols - col))
            out.append(row)
        return out

    def cell_texts(self, blocks) -> list:
        return [self.rich(b["c"]) for b in blocks if b["t"] in ("Para", "Plain")]

    def cell_value(self, blocks):
        blocks = [b for b in blocks if not (b["t"] in ("Para", "Plain") and not _inlines_text(b["c"]).strip()
                                            and not any(x["t"] == "Note" for x in b["c"]))]
        if not blocks:
            return ""
        if len(blocks) == 1 and blocks[0]["t"] in ("Para", "Plain"):
            return self.rich(blocks[0]["c"])
        out = []
        for b in blocks:
            if b["t"] in ("Para", "Plain"):
                out.append({"p": self.rich(b["c"])})
            elif b["t"] in ("BulletList", "OrderedList"):
                out.append(self.list_block(b))
            elif b["t"] == "DefinitionList":
                out.append({"terms": self.terms(b["c"])})
            else:
                self.report(f"a {b['t']} inside a table cell was left out")
        return {"blocks": out}


# ---- YAML ----


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = None
    if len(value) > 70 and "\n" not in value and value == value.strip() and "  " not in value:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data) -> str:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    if yaml.safe_load(text) != data:  # never change a text to make it readable
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return text


# ---- the command ----


def _meta_text(meta: dict, key: str) -> str:
    v = meta.get(key)
    if not v:
        return ""
    if v["t"] == "MetaInlines":
        return _inlines_text(v["c"]).strip()
    if v["t"] == "MetaString":
        return v["c"]
    if v["t"] == "MetaList":
        return "; ".join(_meta_text({"x": x}, "x") for x in v["c"])
    if v["t"] == "MetaBlocks":
        return " ".join(_inlines_text(b["c"]) for b in v["c"] if b["t"] in ("Para", "Plain")).strip()
    return ""


def import_docx(docx: Path, dest: Path, lang: str = "en", force: bool = False, today: datetime.date | None = None) -> ImportResult:
    """Convert `docx` into the report folder `dest`; raises ReportError if it cannot."""
    docx, dest = Path(docx), Path(dest)
    if not docx.is_file():
        raise ReportError([Diagnostic(Loc(str(docx)), "no such file; give the path of a Word .docx document")])
    if dest.exists() and any(dest.iterdir()) and not force:
        raise ReportError([Diagnostic(Loc(str(dest)), "this folder is not empty; choose a new folder or pass --force to replace its files")])
    with tempfile.TemporaryDirectory(prefix="reportkit-import-") as tmp:
        media = Path(tmp) / "media-root"
        doc = pandoc_json(docx, media)
        staging = Path(tmp) / "report"
        conv = Converter(lang, staging / "figures", Path.cwd())
        conv.title_heading = ""
        conv.convert(doc)
        meta = doc.get("meta", {})
        if not conv.chapters:
            conv.open_chapter(None)
            conv.emit({"p": "(The Word document held no text.)"})
        files = {}
        for ch in conv.chapters:
            data: dict = {"id": ch["id"], "title": ch["title"]}
            if not ch["numbered"]:
                data["numbered"] = False
            data["blocks"] = ch["blocks"] or [{"p": "(empty chapter)"}]
            if ch["notes"]:
                data["notes"] = ch["notes"]
            files[ch["file"]] = dump_yaml(data)
        title = _meta_text(meta, "title") or conv.title_heading or docx.stem.replace("_", " ").replace("-", " ")
        report: dict = {"lang": lang, "title": escape(title)}
        if _meta_text(meta, "subtitle"):
            report["subtitle"] = escape(_meta_text(meta, "subtitle"))
        date = _parse_date(_meta_text(meta, "date"))
        if date is None:
            date = today or datetime.date.today()
            conv.unmapped.append(Unmapped("document properties", f"no date found: report.yaml says {date.isoformat()} (the import day); "
                                                                 "set the publication date"))
        report["date"] = date
        report["organization"] = "Organization"
        conv.unmapped.append(Unmapped("document properties", "report.yaml needs the publishing organization: replace \u201cOrganization\u201d"))
        authors = meta.get("author")
        names = []
        if authors:
            items = authors["c"] if authors["t"] == "MetaList" else [authors]
            names = [_meta_text({"a": a}, "a") for a in items]
        if names:
            report["authors"] = [{"name": n} for n in names if n]
        report["chapters"] = [ch["file"] for ch in conv.chapters]
        header = f"# Imported from {docx.name} by `reportkit import`; see IMPORT-NOTES.md for what needs a look.\n"
        files["report.yaml"] = header + dump_yaml(report)
        notes_md = ["# Import notes", "", f"Imported from `{docx.name}` by `reportkit import`.", ""]
        notes_md += [f"- {k}: {v}" for k, v in conv.counts.items()] + [""]
        if conv.unmapped:
            notes_md += ["## Not mapped, or mapped with a change", "",
                         "Each item names its place in the Word document: the headings above it and the paragraph number "
                         "under the last heading.", ""]
            notes_md += [f"- {u.place}: {u.what}" for u in conv.unmapped]
        else:
            notes_md += ["Everything was mapped."]
        files["IMPORT-NOTES.md"] = "\n".join(notes_md) + "\n"
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in files.items():
            (dest / name).write_text(text, encoding="utf-8")
            written.append(dest / name)
        if (staging / "figures").is_dir():
            (dest / "figures").mkdir(exist_ok=True)
            for f in sorted((staging / "figures").iterdir()):
                shutil.copyfile(f, dest / "figures" / f.name)
                written.append(dest / "figures" / f.name)
    return ImportResult(dest, written, conv.unmapped, conv.counts)


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%B %Y", "%Y"):
        try:
            return datetime.datetime.strptime(text[:40], fmt).date()
        except ValueError:
            continue
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None
