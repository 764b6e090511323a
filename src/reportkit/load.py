"""Load a report folder (report.yaml + chapter files) into a model.Report, checking keys and types.

Every value keeps its file:line; all problems of a report are collected and raised together.
"""
from __future__ import annotations

import datetime
import glob
import re
from pathlib import Path

from . import inline
from .errors import Collector, Loc, ReportError, did_you_mean
from .model import (AboutGroup, Author, Cell, Column, Figure, Findings, GroupRow, Recommendation, Recommendations, ListBlock, ListItem, Meta, Note,
                    Para, Quote, Report, Rich, Row, Section, Sidebar, Table, Term, Terms)
from .yamlsrc import YList, YMap, YStr, loc_of, plain, read_yaml, type_name

BLOCK_KINDS = ("p", "section", "epigraph", "quote", "pullquote", "sidebar", "list", "terms", "table", "figure",
               "findings", "recommendations", "include")
REPORT_KEYS = {"id", "lang", "title", "subtitle", "date", "organization", "organization_short", "notes",
               "notes_title", "authors", "about", "disclaimer", "copyright", "acknowledgments", "chapters",
               "translate_notes", "smart_quotes", "series", "report_number", "url", "references", "citations"}
CITATION_KEYS = {"style", "subsequent", "bibliography", "zh", "zh-Hant", "zh-Hans", "zh-TW"}
CHAPTER_KEYS = {"id", "title", "numbered", "section_numbers", "blocks", "notes"}
IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}


class Loader:
    """Reads one report; `c` collects diagnostics, `notes` gathers note definitions from every file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.c = Collector()
        self.notes: dict[str, Note] = {}
        self.files: list[Path] = []
        self.translate_notes: set[str] = set()
        self.section_numbers: dict[str, str] = {}  # chapter id -> "chapter" | "plain"
        self.open_files: list[Path] = []  # the chapter file and the includes being read, outermost first

    # -- files --
    def shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def read(self, name: str, loc: Loc | None = None):
        path = self.inside(name, loc or Loc(self.shown(self.folder)))
        if path is None:
            return None
        self.files.append(path)
        try:
            return read_yaml(path, self.shown(path), as_written=True)
        except ReportError as e:
            if loc and not path.exists():
                self.c.error(loc, f'"{name}" not found in {self.shown(self.folder)}; create it or fix the file name')
            else:
                self.c.items.extend(e.diagnostics)
            return None

    def inside(self, name: str, loc: Loc) -> Path | None:
        """The path of `name` within the report folder, or None (with an error) if it leaves it."""
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            self.c.error(loc, f'"{name}" is outside the report folder; keep files inside {self.shown(self.folder)}')
            return None
        return path

    # -- values --
    def check_keys(self, m: YMap, allowed, what: str) -> None:
        for key in m:
            if key not in allowed:
                self.c.error(m.key_locs[key], f'unknown key "{key}" in {what}{did_you_mean(key, allowed)}')

    def mapping(self, value, loc: Loc, what: str) -> YMap | None:
        if isinstance(value, YMap):
            return value
        self.c.error(loc_of(value, loc), f"{what} must be a mapping (key: value lines), not {type_name(value)}")
        return None

    def seq(self, value, loc: Loc, what: str) -> list:
        if value is None:
            return []
        if isinstance(value, YList):
            return value
        self.c.error(loc_of(value, loc), f"{what} must be a list ('- ' items), not {type_name(value)}")
        return []

    def text(self, m: YMap, key: str, what: str, required: bool = False) -> YStr | None:
        value = m.get(key)
        # text as written: a plain `1.10`, `12:30`, `yes` or `null` is a YStr (yamlsrc.YScalar) and kept as is
        if value is None or (not isinstance(value, YStr) and plain(value) is None):
            if required:
                self.c.error(m.loc, f'{what} needs "{key}"')
            return None
        if isinstance(value, YStr):
            return value
        if isinstance(plain(value), (int, float)) and not isinstance(plain(value), bool):
            s = YStr(str(plain(value)))
            s.loc = value.loc
            return s
        self.c.error(loc_of(value, m.loc), f'"{key}" in {what} must be text, not {type_name(value)}; quote it')
        return None

    def rich(self, value: YStr | None) -> Rich | None:
        if value is None:
            return None
        try:
            nodes = inline.parse(str(value))
        except inline.InlineError as e:
            self.c.error(_offset_loc(value, e.offset), str(e))
            nodes = []
        return Rich(str(value), nodes, value.loc)

    def rich_key(self, m: YMap, key: str, what: str, required: bool = False) -> Rich | None:
        return self.rich(self.text(m, key, what, required))

    def flag(self, m: YMap, key: str, default: bool) -> bool:
        value = m.get(key)
        if value is None:
            return default
        if isinstance(plain(value), bool):
            return plain(value)
        self.c.error(loc_of(value, m.loc), f'"{key}" must be true or false, not {type_name(value)}')
        return default

    def ident(self, m: YMap, what: str, required: bool) -> str:
        value = self.text(m, "id", what, required)
        if value is None:
            return ""
        if not inline.ID_RE.match(value):
            self.c.error(value.loc, f'id "{value}" may hold only letters, digits, "-", "_", "." and ":" and must start with a letter or digit')
        return str(value)

    # -- report --
    def report(self) -> Report:
        top = self.read("report.yaml")
        if top is None:
            self.c.raise_if_errors()
        m = self.mapping(top, Loc(self.shown(self.folder / "report.yaml")), "report.yaml")
        if m is None:
            self.c.raise_if_errors()
        self.check_keys(m, REPORT_KEYS, "report.yaml")
        self.translate_notes = {str(x) for x in self.seq(m.get("translate_notes"), m.loc, '"translate_notes"')}
        meta = self.meta(m)
        chapters = []
        for name in self.seq(m.get("chapters"), m.loc, '"chapters"'):
            if not isinstance(name, YStr):
                self.c.error(loc_of(name, m.loc), f"each chapter is a file name, not {type_name(name)}")
                continue
            chapter = self.chapter(name)
            if chapter is not None:
                chapters.append(chapter)
        if not chapters and not self.c.errors:
            self.c.error(m.loc, 'report.yaml needs "chapters": a list of chapter files')
        self.c.raise_if_errors()
        references = self.references(m)
        self.c.raise_if_errors()
        report_id = str(m.get("id") or self.folder.name)
        return with_ids(Report(report_id, self.folder, meta, chapters, self.notes, self.files, self.section_numbers,
                               references))

    def references(self, m: YMap):
        """The files named by `references:` (CSL-JSON or BibTeX) read into a citations.Library, with the
        `citations:` options (style, subsequent: full | short, a style per Chinese edition)."""
        from . import citations

        value = m.get("references")
        if value is None:
            if m.get("citations") is not None:
                self.c.error(m.key_locs["citations"], '"citations" needs "references": the CSL-JSON or BibTeX file(s) to cite from')
            return None
        names = [value] if isinstance(value, YStr) else self.seq(value, m.loc, '"references"')
        paths = []
        for name in names:
            loc = loc_of(name, m.loc)
            if not isinstance(name, YStr):
                self.c.error(loc, f"each references file is a file name, not {type_name(name)}")
                continue
            path = self.inside(str(name), loc)
            if path is None:
                continue
            if not path.is_file():
                self.c.error(loc, f'references file "{name}" not found in {self.shown(self.folder)}; export it there or fix the name')
                continue
            self.files.append(path)
            paths.append((path, self.shown(path)))
        options: dict = {}
        opts = m.get("citations")
        if opts is not None:
            om = self.mapping(opts, loc_of(opts, m.loc), '"citations"')
            if om is not None:
                self.check_keys(om, CITATION_KEYS, '"citations"')
                for key in om:
                    options[key] = str(plain(om[key]))
                if "bibliography" in om:  # a references list at the end of every edition
                    options["bibliography"] = self.flag(om, "bibliography", False)
                sub = options.get("subsequent")
                if sub is not None and sub not in ("full", "short"):
                    self.c.error(loc_of(om["subsequent"], om.loc), f'"subsequent" is full or short, not "{sub}"')
                for key in ("style", "zh", "zh-Hant", "zh-Hans", "zh-TW"):
                    name = options.get(key)
                    if name and citations.find_style(name, self.folder) is None:
                        shipped = sorted(p.stem for p in citations.STYLE_DIR.glob("*.csl"))
                        self.c.error(loc_of(om[key], om.loc), f'citation style "{name}" not found{did_you_mean(name, shipped)}; '
                                                               f"use {', '.join(shipped)} or a .csl file in the report folder")
        return citations.read(paths, self.c, options)

    def meta(self, m: YMap) -> Meta:
        what = "report.yaml"
        date = plain(m.get("date"))
        if not isinstance(date, datetime.date):
            self.c.error(loc_of(m.get("date"), m.loc), '"date" must be an ISO date such as 2026-04-01')
            date = datetime.date(1970, 1, 1)
        # None when the report does not say: the brand's default (then the built-in one) applies
        notes_style = str(m.get("notes")) if m.get("notes") is not None else None
        if notes_style not in (None, "endnotes", "footnotes"):
            self.c.error(loc_of(m.get("notes"), m.loc), f'"notes" must be endnotes or footnotes, not "{notes_style}"')
        authors = []
        for a in self.seq(m.get("authors"), m.loc, '"authors"'):
            a = self.mapping(a, m.loc, "an author")
            if a is None:
                continue
            self.check_keys(a, {"name", "role", "bio"}, "an author")
            bio = a.get("bio")
            bio_items = [bio] if isinstance(bio, YStr) else self.seq(bio, a.loc, '"bio"')
            authors.append(Author(self.rich_key(a, "name", "an author", True) or Rich("", (), a.loc), self.rich_key(a, "role", "an author"),
                                  [self.rich(b) for b in bio_items if isinstance(b, YStr)], a.loc))
        about = []
        for g in self.seq(m.get("about"), m.loc, '"about"'):
            g = self.mapping(g, m.loc, "an about entry")
            if g is None:
                continue
            self.check_keys(g, {"id", "title", "blocks"}, "an about entry")
            about.append(AboutGroup(self.ident(g, "an about entry", False), self.rich_key(g, "title", "an about entry", True),
                                    self.blocks(g.get("blocks"), g.loc, 2), g.loc))
        return Meta(
            title=self.rich_key(m, "title", what, True), subtitle=self.rich_key(m, "subtitle", what),
            date=date, organization=self.rich_key(m, "organization", what, True),
            organization_short=str(m.get("organization_short") or ""), lang=str(m.get("lang") or "en"),
            notes_style=notes_style, notes_title=self.rich_key(m, "notes_title", what), authors=authors, about=about,
            disclaimer=self.rich_key(m, "disclaimer", what), copyright=self.rich_key(m, "copyright", what),
            acknowledgments=self.blocks(m.get("acknowledgments"), m.loc, 2), loc=m.loc,
            smart_quotes=self.flag(m, "smart_quotes", True), series=self.rich_key(m, "series", what),
            report_number=str(m.get("report_number") or ""), url=str(m.get("url") or ""))

    def chapter(self, name: YStr) -> Section | None:
        m = self.read(str(name), name.loc)
        if m is None:
            return None
        m = self.mapping(m, Loc(str(name)), "a chapter file")
        if m is None:
            return None
        self.check_keys(m, CHAPTER_KEYS, "a chapter")
        self.read_notes(m)
        numbering = str(m.get("section_numbers") or "chapter")
        if numbering not in ("chapter", "plain"):
            self.c.error(loc_of(m.get("section_numbers"), m.loc), '"section_numbers" must be chapter or plain')
        self.open_files.append((self.folder / str(name)).resolve())
        try:
            blocks = self.blocks(m.get("blocks"), m.loc, 2)
        finally:
            self.open_files.pop()
        section = Section(self.ident(m, "a chapter", True), self.rich_key(m, "title", "a chapter", True), 1,
                          self.flag(m, "numbered", True), blocks, m.loc)
        self.section_numbers[section.id] = numbering
        return section

    def read_notes(self, m: YMap) -> None:
        notes = m.get("notes")
        if notes is None:
            return
        notes = self.mapping(notes, m.loc, '"notes"')
        for key, value in (notes or {}).items():
            loc = notes.key_locs[key]
            if not inline.ID_RE.match(key):
                self.c.error(loc, f'note id "{key}" may hold only letters, digits, "-", "_", "." and ":"')
            if key in self.notes:
                self.c.error(loc, f'note "{key}" is defined twice (first at {self.notes[key].loc}); keep one')
                continue
            if not isinstance(value, YStr):
                self.c.error(loc_of(value, loc), f'note "{key}" must be text, not {type_name(value)}')
                continue
            self.notes[key] = Note(key, self.rich(value), loc, key in self.translate_notes)

    # -- blocks --
    def blocks(self, value, loc: Loc, level: int) -> list:
        out = []
        for item in self.seq(value, loc, "blocks"):
            if isinstance(item, YStr) or plain(item) is None:
                self.c.error(loc_of(item, loc), 'a block must be a mapping with a kind key such as "p:"; write "- p: text"')
                continue
            m = self.mapping(item, loc, "a block")
            if m is None:
                continue
            kinds = [k for k in m if k in BLOCK_KINDS]
            unknown = [k for k in m if k not in BLOCK_KINDS and k != "id"]
            for k in unknown:
                self.c.error(m.key_locs[k], f'unknown block kind "{k}"{did_you_mean(k, BLOCK_KINDS)}')
            if len(kinds) > 1:
                self.c.error(m.loc, f"one block per list item; found {', '.join(kinds)}")
            if len(kinds) != 1:
                if not unknown and not kinds:
                    self.c.error(m.loc, "a block needs a kind key (p, section, table, ...)")
                continue
            kind = kinds[0]
            if kind == "include":
                out.extend(self.include(m["include"], level))
                continue
            block = getattr(self, "block_" + kind)(m, m[kind], level)
            if block is not None:
                out.append(block)
        return out

    def include(self, name, level: int) -> list:
        if not isinstance(name, YStr):
            self.c.error(loc_of(name, Loc(self.shown(self.folder))), f"include takes a file name, not {type_name(name)}")
            return []
        path = self.inside(str(name), name.loc)
        if path is None:
            return []
        if path in self.open_files:
            chain = [*self.open_files[self.open_files.index(path):], path]
            self.c.error(name.loc, f'include cycle: {" -> ".join(self.in_folder(p) for p in chain)}; '
                                   f'a file may not include itself, directly or through another: remove this include')
            return []
        m = self.read(str(name), name.loc)
        if m is None:
            return []
        m = self.mapping(m, name.loc, "an included file")
        if m is None:
            return []
        self.check_keys(m, {"blocks", "notes"}, "an included file")
        self.read_notes(m)
        self.open_files.append(path)
        try:
            return self.blocks(m.get("blocks"), m.loc, level)
        finally:
            self.open_files.pop()

    def in_folder(self, path: Path) -> str:
        """`path` as written in the report's files: relative to the report folder."""
        try:
            return path.relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            return str(path)

    def body(self, value, what: str, keys: set) -> YMap | None:
        m = self.mapping(value, loc_of(value, Loc("?")), what)
        if m is not None:
            self.check_keys(m, keys, what)
        return m

    def block_p(self, m: YMap, value, level: int):
        if not isinstance(value, YStr):
            self.c.error(loc_of(value, m.loc), f"a paragraph (p) must be text, not {type_name(value)}")
            return None
        return Para(self.rich(value), value.loc, self.ident(m, "a paragraph", False))

    def block_section(self, m: YMap, value, level: int):
        s = self.body(value, "a section", {"id", "title", "numbered", "blocks"})
        if s is None:
            return None
        if level > 3:
            self.c.error(s.loc, "sections nest 3 levels deep at most (chapter > section > sub-section)")
        return Section(self.ident(s, "a section", False) or self.ident(m, "a section", False),
                       self.rich_key(s, "title", "a section", True), level, self.flag(s, "numbered", level == 2),
                       self.blocks(s.get("blocks"), s.loc, level + 1), s.loc)

    def quote_like(self, kind: str, value, level: int):
        if isinstance(value, YStr):
            return Quote(kind, [Para(self.rich(value), value.loc)], None, None, "", value.loc)
        q = self.body(value, f"a {kind}", {"id", "text", "blocks", "attribution", "original"})
        if q is None:
            return None
        blocks = self.blocks(q.get("blocks"), q.loc, level) if "blocks" in q else []
        if "text" in q:
            blocks.insert(0, Para(self.rich_key(q, "text", f"a {kind}"), q.loc))
        if not blocks:
            self.c.error(q.loc, f'a {kind} needs "text" or "blocks"')
        original, lang = None, ""
        if q.get("original") is not None:
            o = self.body(q["original"], "an original", {"lang", "text"})
            if o is not None:
                original, lang = self.rich_key(o, "text", "an original", True), str(o.get("lang") or "")
                if not lang:
                    self.c.error(o.loc, 'an original needs "lang", e.g. zh-Hant')
        return Quote(kind, blocks, self.rich_key(q, "attribution", f"a {kind}"), original, lang, q.loc,
                     self.ident(q, f"a {kind}", False))

    def block_quote(self, m, value, level):
        return self.quote_like("quote", value, level)

    def block_epigraph(self, m, value, level):
        return self.quote_like("epigraph", value, level)

    def block_pullquote(self, m, value, level):
        return self.quote_like("pullquote", value, level)

    def block_findings(self, m, value, level):
        s = self.body(value, "key findings", {"id", "title", "items"})
        if s is None:
            return None
        items = [self.rich(i) if isinstance(i, YStr) else self.error_item(i, s.loc, "a finding is one sentence of text")
                 for i in self.seq(s.get("items"), s.loc, '"items"')]
        if not items:
            self.c.error(s.loc, 'key findings need "items": a list of sentences')
        return Findings(self.ident(s, "key findings", False), self.rich_key(s, "title", "key findings"),
                        [i for i in items if i is not None], s.loc)

    def block_recommendations(self, m, value, level):
        s = self.body(value, "recommendations", {"id", "title", "items"})
        if s is None:
            return None
        items = []
        for i in self.seq(s.get("items"), s.loc, '"items"'):
            r = self.mapping(i, s.loc, "a recommendation")
            if r is None:
                continue
            self.check_keys(r, {"id", "lead", "blocks"}, "a recommendation")
            items.append(Recommendation(self.ident(r, "a recommendation", False), self.rich_key(r, "lead", "a recommendation", True),
                                        self.blocks(r.get("blocks"), r.loc, 4), r.loc))
        if not items:
            self.c.error(s.loc, 'recommendations need "items": each with a "lead" and "blocks"')
        return Recommendations(self.ident(s, "recommendations", False), self.rich_key(s, "title", "recommendations"), items, s.loc)

    def error_item(self, value, loc, what: str):
        self.c.error(loc_of(value, loc), f"{what}, not {type_name(value)}")
        return None

    def block_sidebar(self, m, value, level):
        s = self.body(value, "a sidebar", {"id", "title", "blocks"})
        if s is None:
            return None
        return Sidebar(self.ident(s, "a sidebar", True), self.rich_key(s, "title", "a sidebar", True),
                       self.blocks(s.get("blocks"), s.loc, 4), s.loc)

    def block_list(self, m, value, level):
        s = self.body(value, "a list", {"id", "ordered", "items"})
        if s is None:
            return None
        items = []
        for item in self.seq(s.get("items"), s.loc, '"items"'):
            if isinstance(item, YStr):
                items.append(ListItem(self.rich(item), [], item.loc))
                continue
            i = self.body(item, "a list item", {"id", "text", "blocks"})
            if i is not None:
                items.append(ListItem(self.rich_key(i, "text", "a list item", True), self.blocks(i.get("blocks"), i.loc, 4),
                                      i.loc, self.ident(i, "a list item", False)))
        if not items:
            self.c.error(s.loc, 'a list needs "items"')
        return ListBlock(self.flag(s, "ordered", False), items, s.loc, self.ident(s, "a list", False))

    def terms(self, value, loc: Loc) -> Terms:
        items = []
        for t in self.seq(value, loc, "terms"):
            t = self.body(t, "a term", {"term", "text"})
            if t is not None:
                items.append(Term(self.rich_key(t, "term", "a term", True), self.rich_key(t, "text", "a term", True), t.loc))
        return Terms(items, loc_of(value, loc))

    def block_terms(self, m, value, level):
        return self.terms(value, m.loc)

    def block_table(self, m, value, level):
        t = self.body(value, "a table", {"id", "caption", "source", "columns", "rows"})
        if t is None:
            return None
        columns = []
        for col in self.seq(t.get("columns"), t.loc, '"columns"'):
            if isinstance(col, YStr):
                columns.append(Column(self.rich(col), "left", 1.0, col.loc))
                continue
            cm = self.body(col, "a column", {"title", "align", "width"})
            if cm is None:
                continue
            align = str(cm.get("align") or "left")
            if align not in ("left", "center", "right"):
                self.c.error(loc_of(cm.get("align"), cm.loc), f'align must be left, center or right, not "{align}"')
            width = plain(cm.get("width")) or 1
            if not isinstance(width, (int, float)) or isinstance(width, bool) or width <= 0:
                self.c.error(loc_of(cm.get("width"), cm.loc), "width must be a positive number (a relative share)")
                width = 1
            columns.append(Column(self.rich_key(cm, "title", "a column", True), align, float(width), cm.loc))
        if not columns:
            self.c.error(t.loc, 'a table needs "columns"')
        rows = []
        for row in self.seq(t.get("rows"), t.loc, '"rows"'):
            if isinstance(row, YMap):
                self.check_keys(row, {"group"}, "a group row")
                g = self.rich_key(row, "group", "a group row", True)
                if g is not None:
                    rows.append(GroupRow(g, row.loc))
                continue
            cells = [self.cell(c, loc_of(row, t.loc)) for c in self.seq(row, t.loc, "a row")]
            span = sum(c.colspan for c in cells)
            if columns and span != len(columns):
                self.c.error(loc_of(row, t.loc), f"this row has {span} cells but the table has {len(columns)} columns")
            rows.append(Row(cells, loc_of(row, t.loc)))
        return Table(self.ident(t, "a table", True), self.rich_key(t, "caption", "a table", True),
                     self.rich_key(t, "source", "a table"), columns, rows, t.loc)

    def cell(self, value, loc: Loc) -> Cell:
        if isinstance(value, YStr):
            return Cell([Para(self.rich(value), value.loc)], value.loc)
        if plain(value) is None:
            return Cell([], loc_of(value, loc))
        c = self.body(value, "a cell", {"text", "blocks", "terms", "tag", "colspan"})
        if c is None:
            return Cell([], loc_of(value, loc))
        blocks = []
        if "text" in c:
            blocks.append(Para(self.rich_key(c, "text", "a cell"), c.loc))
        if "terms" in c:
            blocks.append(self.terms(c["terms"], c.loc))
        blocks.extend(self.blocks(c.get("blocks"), c.loc, 4))
        span = plain(c.get("colspan")) or 1
        if not isinstance(span, int) or span < 1:
            self.c.error(loc_of(c.get("colspan"), c.loc), "colspan must be a whole number of at least 1")
            span = 1
        return Cell(blocks, c.loc, self.rich_key(c, "tag", "a cell"), span)

    def block_figure(self, m, value, level):
        f = self.body(value, "a figure", {"id", "image", "placeholder", "caption", "source", "alt"})
        if f is None:
            return None
        image = None
        name = self.text(f, "image", "a figure")
        if name is not None:
            path = self.inside(str(name), name.loc)
            if path is not None:
                if path.suffix.lower() not in IMAGE_TYPES:
                    self.c.error(name.loc, f'image "{name}" must be one of {", ".join(sorted(IMAGE_TYPES))}')
                elif not path.is_file():
                    self.c.error(name.loc, f'image file "{name}" not found; add it or use "placeholder:" instead')
                elif (problem := image_problem(path)) is not None:
                    self.c.error(name.loc, f'image "{name}" {problem}')
                else:  # the per-language versions localize picks (figures/x.zh-Hant.svg)
                    for variant in sorted(path.parent.glob(f"{glob.escape(path.stem)}.*{path.suffix}")):
                        tag = variant.name[len(path.stem) + 1: -len(path.suffix)]
                        if _LANG_TAG.fullmatch(tag) and (problem := image_problem(variant)) is not None:
                            self.c.error(name.loc, f'image "{self.in_folder(variant)}" (the {tag} version of "{name}") {problem}')
                image = path
        placeholder = self.rich_key(f, "placeholder", "a figure")
        if name is None and placeholder is None:
            self.c.error(f.loc, 'a figure needs "image" (a file) or "placeholder" (a description of missing artwork)')
        alt = self.rich_key(f, "alt", "a figure")
        if alt is None:
            self.c.error(f.loc, 'a figure needs "alt": a text description for readers who cannot see it')
        return Figure(self.ident(f, "a figure", True), self.rich_key(f, "caption", "a figure", True),
                      self.rich_key(f, "source", "a figure"), alt, image, placeholder, f.loc)


_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the empty IEND chunk every complete PNG ends with
_KINDS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP", ".svg": "SVG"}
_SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WebP": ".webp", "SVG": ".svg"}


def _sniff(head: bytes) -> str:
    """The image format `head` (the first bytes of a file) starts like, "text", or "unknown"."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return "SVG" if b"<svg" in head or start.startswith((b"<?xml", b"<!")) else "text"
    try:
        head.decode("utf-8")
        return "text"
    except UnicodeDecodeError as e:
        return "text" if e.start > len(head) - 4 else "unknown"


def image_problem(path: Path) -> str | None:
    """Why the engines could not draw this image file, as the rest of an error sentence, or None.

    Cheap checks of what the name promises: the format's signature, a complete end (PNG: IEND chunk;
    JPEG: FFD9 end marker; GIF: ";" trailer; WebP: the RIFF length), and well-formed XML with an <svg> root."""
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        return None
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(512)
            f.seek(max(0, size - 1024))
            tail = f.read()
    except OSError as e:
        return f"cannot be read ({e.strerror}); check the file's permissions"
    if size == 0:
        return f"is an empty file; export the artwork again as {kind}"
    found = _sniff(head)
    if kind == "SVG":
        return _svg_problem(path) if found in ("SVG", "text") else _wrong_kind(kind, found)
    if found != kind:
        return _wrong_kind(kind, found)
    complete = {"PNG": lambda: tail.endswith(_PNG_END),
                "JPEG": lambda: b"\xff\xd9" in tail,  # FF D9 occurs only as the end marker in the data
                "GIF": lambda: tail.rstrip(b"\x00").endswith(b";"),
                "WebP": lambda: size >= 8 + int.from_bytes(head[4:8], "little")}[kind]
    if not complete():
        return f"is cut short (an incomplete {kind} file, {size} bytes); copy or export it again"
    return None


def _wrong_kind(kind: str, found: str) -> str:
    a = "an" if kind == "SVG" else "a"
    if found in _SUFFIX:
        return f"is not {a} {kind} file but a {found} file; rename it to {_SUFFIX[found]} (and the image: line) or export it as {kind}"
    what = "text" if found == "text" else "not an image format reportkit knows"
    return f"is not {a} {kind} file (its content is {what}); replace it with the real {kind} artwork"


def _svg_problem(path: Path) -> str | None:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(path.read_bytes())  # expat >= 2.4 refuses entity-expansion bombs
    except ET.ParseError as e:
        return f"is not well-formed XML ({e}); fix the file or export it again as SVG"
    tag = root.tag.rsplit("}", 1)[-1]
    if tag != "svg":
        return f"is XML but not SVG (its root element is <{tag}>, not <svg>); export the artwork as SVG"
    return None


def _offset_loc(value: YStr, offset: int) -> Loc:
    """Best location of a character inside a scalar: exact for single-line plain scalars."""
    loc = value.loc
    if "\n" not in value and loc.col:
        return Loc(loc.file, loc.line, loc.col + offset)
    return loc


def with_ids(report: Report) -> Report:
    """The report with an id on every section that has none ("sec-1", ... in reading order), so every
    later stage can key its results by id."""
    from dataclasses import replace

    from .walk import blocks, transform

    missing = [b for b in blocks(report) if isinstance(b, Section) and not b.id]
    new_ids = {id(b): f"sec-{i}" for i, b in enumerate(missing, 1)}
    if not new_ids:
        return report
    return transform(report, node=lambda new, old: replace(new, id=new_ids[id(old)]) if id(old) in new_ids else new)


def load(folder: Path) -> Report:
    """Read the report in `folder`; raises ReportError listing every problem found."""
    folder = Path(folder)
    if not (folder / "report.yaml").is_file():
        raise ReportError([__import__("reportkit.errors", fromlist=["Diagnostic"]).Diagnostic(
            Loc(str(folder)), "no report.yaml here; give the folder of a report (e.g. content/example)")])
    return Loader(folder).report()
