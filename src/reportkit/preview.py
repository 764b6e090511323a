"""Live preview: rebuild one edition's PDF whenever a content, catalog or style file changes.

The process stays alive, so Typst keeps its fonts and layout caches: an edited paragraph recompiles
in a fraction of the cold time. Errors are printed and the last good PDF stays in place.
"""
from __future__ import annotations

import time
from pathlib import Path

from .artifacts import atomic_write
from .build import BuildOptions, make_editions, notes_style, timestamp
from .engine import typst_pdf
from .errors import ReportError
from .i18n.catalog import locales_root
from .load import load
from .render_typst import render_typst
from .resolve import resolve


class Previewer:
    def __init__(self, folder: Path, lang: str | None, brand: str, out: Path, project=None):
        from .project import Project

        self.folder, self.lang, self.brand_name, self.out = Path(folder), lang, brand, out
        self.project = project or Project.of_report(self.folder)

    def watched(self) -> dict:
        roots = [self.folder, locales_root(self.folder), *self.project.style_search()]
        files = [p for r in roots if r.is_dir() for p in r.rglob("*") if p.is_file()]
        return {p: p.stat().st_mtime_ns for p in files}

    def rebuild(self) -> tuple[Path, float]:
        """Load, check, render and compile once; returns the PDF path and the seconds it took."""
        t = time.perf_counter()
        resolved = resolve(load(self.folder))
        brand = self.project.brand(self.brand_name)
        langs = [self.lang] if self.lang else [resolved.report.meta.lang]
        ed = make_editions(resolved, langs, BuildOptions())[0]
        from .outputs import _pair

        pdf, _warnings = _pair(typst_pdf(render_typst(ed, brand, notes_style(None, ed.report, brand)), ed.report.folder,
                                         tuple(brand.families()), timestamp(resolved)))
        path = self.out / resolved.report.id / f"{resolved.report.id}.{ed.locale.bcp47}.preview.pdf"
        atomic_write(path, pdf)
        return path, time.perf_counter() - t

    def watch(self, interval: float = 0.2) -> None:
        seen: dict = {}
        while True:
            now = self.watched()
            if now != seen:
                seen = now
                try:
                    path, seconds = self.rebuild()
                    print(f"updated {path} in {seconds:.2f} s", flush=True)
                except ReportError as e:
                    for d in e.diagnostics:
                        print(d, flush=True)
            time.sleep(interval)
