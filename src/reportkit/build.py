"""The pipeline, in order: load -> resolve -> localize -> render -> engine -> artifacts.

Typst editions compile in worker processes while the HTML editions render in threads; an unchanged
Typst source reuses the PDF compiled last time (kept in the user's cache folder, see cache_dir).
"""
from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import artifacts
from .brand import Brand, load_brand
from .errors import Diagnostic, Loc, ReportError
from .i18n.catalog import catalog_files, load_translations, locales_root
from .load import load
from .localize import Edition, localize
from .locales import parse_locale
from .resolve import Resolved, resolve


@dataclass
class BuildOptions:
    langs: list | None = None  # None: the source language and every language with a catalog
    formats: tuple = ("pdf", "html")
    engine: str = "typst"  # typst | weasyprint (for PDFs)
    brand: str = "dset"
    notes: str | None = None  # endnotes | footnotes, overriding report and brand
    out: Path = Path("build")
    release: bool = False  # untranslated or fuzzy text fails the build instead of falling back
    min_coverage: float = 0.0
    strict: bool = False


@dataclass
class BuildResult:
    artifacts: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    editions: list = field(default_factory=list)


def timestamp(resolved: Resolved) -> int:
    """SOURCE_DATE_EPOCH if set, else the report's date: the same input gives the same bytes."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    d = resolved.report.meta.date
    import calendar

    return calendar.timegm((d.year, d.month, d.day, 0, 0, 0))


def available_langs(resolved: Resolved) -> list[str]:
    root = locales_root(resolved.report.folder)
    source = parse_locale(resolved.report.meta.lang).bcp47
    others = sorted(p.parent.name for p in root.glob(f"*/{resolved.report.id}")
                    if p.parent.name != "templates" and any(p.glob("*.po")))
    return [source] + [x for x in others if x != source]


def make_editions(resolved: Resolved, langs: list[str], opts: BuildOptions) -> list[Edition]:
    root = locales_root(resolved.report.folder)
    source = parse_locale(resolved.report.meta.lang)
    editions = []
    for lang in langs:
        try:
            code = parse_locale(lang)
        except ValueError as e:
            raise ReportError([Diagnostic(Loc("--lang"), f"{e}; use a BCP 47 tag such as en or zh-Hant")])
        if code.bcp47 == source.bcp47:
            editions.append(localize(resolved))
            continue
        if not catalog_files(resolved.report.id, code.bcp47, root):
            raise ReportError([Diagnostic(Loc(str(root / code.bcp47 / resolved.report.id)),
                                          f"no catalogs for {code.bcp47}; run: reportkit i18n update {resolved.report.folder} --lang {code.bcp47}")])
        ed = localize(resolved, code.bcp47, load_translations(resolved.report.id, code.bcp47, root))
        units = ed.stats.get("units", 0) or 1
        coverage = 100.0 * ed.stats.get("translated", 0) / units
        need = 100.0 if opts.release else opts.min_coverage
        if coverage < need:
            raise ReportError([Diagnostic(Loc(str(root / code.bcp47 / resolved.report.id)),
                                          f"{code.bcp47} is {coverage:.1f}% translated ({ed.stats['fallback']} entries untranslated or fuzzy), "
                                          f"below the required {need:g}%; translate them or build without --release")])
        editions.append(ed)
    return editions


def edition_name(report_id: str, ed: Edition) -> str:
    return f"{report_id}.{ed.locale.bcp47}"


def cache_dir() -> Path:
    """The user's reportkit cache (compiled PDFs, font subsets): shared by every build folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reportkit"


def _typst_key(source: str, brand: Brand, stamp: int) -> str:
    return hashlib.sha256(source.encode() + str(stamp).encode() + "|".join(brand.families()).encode()).hexdigest()


def _compile_job(args) -> bytes:
    """Runs in a worker process: the typst binding holds the GIL while it lays out, so two editions
    only compile in parallel in two processes."""
    from .engine import typst_pdf

    source, root, families, stamp = args
    return typst_pdf(source, Path(root), tuple(families), stamp)


def _render_one(job, brand: Brand, opts: BuildOptions, stamp: int, out_dir: Path, pdfs: dict):
    ed, fmt, engine = job
    notes = ed.notes_style(opts.notes, brand.notes)
    base = edition_name(ed.report.id, ed)
    t0 = time.perf_counter()
    if fmt == "html":
        from .render_html import render_html

        data = render_html(ed, brand, notes, webfonts=True).encode("utf-8")
        path = out_dir / f"{base}.html"
    elif engine == "weasyprint":
        from .engine import weasyprint_pdf
        from .render_html import render_html

        data, _pages = weasyprint_pdf(render_html(ed, brand, notes, paged=True), ed.report.folder, stamp)
        path = out_dir / f"{base}.weasyprint.pdf"
    else:
        data = pdfs[ed.locale.bcp47].result()
        path = out_dir / f"{base}.pdf"
    return job, path, data, notes, time.perf_counter() - t0


def _start_typst(editions, brand: Brand, opts: BuildOptions, stamp: int, pool_box: list) -> dict:
    """Render each edition's Typst source and start its compile (cached PDFs are reused as they are)."""
    from concurrent.futures import Future

    from .render_typst import render_typst

    futures: dict = {}
    cache = cache_dir() / "pdf"
    for ed in editions:
        source = render_typst(ed, brand, ed.notes_style(opts.notes, brand.notes))
        cached = cache / f"{_typst_key(source, brand, stamp)}.pdf"
        if cached.is_file():
            f: Future = Future()
            f.set_result(cached.read_bytes())
        else:
            if not pool_box:
                pool_box.append(_pool(min(len(editions), os.cpu_count() or 1)))
            f = pool_box[0].submit(_compile_job, (source, str(ed.report.folder), brand.families(), stamp))
            f.add_done_callback(lambda done, path=cached: done.exception() or artifacts.atomic_write(path, done.result()))
        futures[ed.locale.bcp47] = f
    return futures


def _pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from . import engine

    # fork is only safe before Typst has run in this process (see engine.compiled_here); a long-lived
    # process (preview, tests) compiles in a thread instead
    if workers < 2 or engine.compiled_here or "fork" not in multiprocessing.get_all_start_methods():
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def build(folder: Path, opts: BuildOptions) -> BuildResult:
    result = BuildResult()
    t = time.perf_counter()
    report = load(Path(folder))
    resolved = resolve(report)
    result.warnings = list(resolved.warnings)
    if opts.strict and resolved.warnings:
        raise ReportError(resolved.warnings)
    result.timings["load+resolve"] = time.perf_counter() - t
    brand = load_brand(opts.brand)
    all_langs = available_langs(resolved)
    t = time.perf_counter()
    editions = make_editions(resolved, opts.langs or all_langs, opts)
    result.timings["localize"] = time.perf_counter() - t
    for ed in editions:
        ed.alternates = [(parse_locale(x), f"{report.id}.{parse_locale(x).bcp47}.html", _language_name(x))
                         for x in all_langs if parse_locale(x).bcp47 != ed.locale.bcp47]
    jobs = [(ed, fmt, opts.engine if fmt == "pdf" else "jinja2") for ed in editions for fmt in opts.formats]
    out_dir = opts.out / report.id
    stamp = timestamp(resolved)
    t = time.perf_counter()
    # every edition is made in memory first; nothing is written unless all of them succeed
    pool_box: list = []
    typst_eds = [ed for ed in editions if "pdf" in opts.formats and opts.engine == "typst"]
    try:
        pdfs = _start_typst(typst_eds, brand, opts, stamp, pool_box)
        with ThreadPoolExecutor(max_workers=min(4, len(jobs)) or 1) as threads:
            done = list(threads.map(lambda j: _render_one(j, brand, opts, stamp, out_dir, pdfs), jobs))
    finally:
        if pool_box:
            pool_box[0].shutdown()
    result.timings["render+engine"] = time.perf_counter() - t
    for (ed, fmt, engine), path, data, notes, seconds in done:
        artifacts.atomic_write(path, data)
        result.timings[path.name] = seconds
        result.artifacts.append(artifacts.make(report.id, ed.locale.bcp47, fmt, engine, path, opts.out, data,
                                               brand=brand.name, notes=notes, translation=dict(ed.stats) if ed.stats.get("units") else None))
    artifacts.write_manifest(opts.out, result.artifacts)
    result.editions = editions
    return result


def _language_name(tag: str) -> str:
    from babel import Locale

    code = parse_locale(tag)
    return Locale.parse(code.babel).get_display_name(code.babel) or code.bcp47
