"""The pipeline, in order: load -> resolve -> localize -> render -> engine -> artifacts.

Editions are rendered and compiled in parallel threads (Typst releases the GIL while it lays out);
an unchanged Typst source reuses the PDF compiled last time from build/.cache.
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
    others = sorted(p.parent.name for p in root.glob(f"*/{resolved.report.id}") if p.is_dir() and p.parent.name != "templates"
                    for _ in [0] if any(p.glob("*.po")))
    return [source] + [x for x in others if x != source]


def make_editions(resolved: Resolved, langs: list[str], opts: BuildOptions) -> list[Edition]:
    root = locales_root(resolved.report.folder)
    source = parse_locale(resolved.report.meta.lang)
    editions = []
    for lang in langs:
        code = parse_locale(lang)
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


def _compile_typst(ed: Edition, brand: Brand, notes: str, cache: Path, stamp: int) -> bytes:
    from .engine import typst_pdf
    from .render_typst import render_typst

    source = render_typst(ed, brand, notes)
    key = hashlib.sha256(source.encode() + str(stamp).encode() + "|".join(brand.families()).encode()).hexdigest()
    cached = cache / f"{key}.pdf"
    if cached.is_file():
        return cached.read_bytes()
    pdf = typst_pdf(source, ed.report.folder, tuple(brand.families()), stamp)
    artifacts.atomic_write(cached, pdf)
    return pdf


def _render_one(job, brand: Brand, opts: BuildOptions, stamp: int, out_dir: Path):
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
        data = _compile_typst(ed, brand, notes, opts.out / ".cache", stamp)
        path = out_dir / f"{base}.pdf"
    return job, path, data, notes, time.perf_counter() - t0


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
    langs = opts.langs or available_langs(resolved)
    t = time.perf_counter()
    editions = make_editions(resolved, langs, opts)
    result.timings["localize"] = time.perf_counter() - t
    all_langs = available_langs(resolved)
    for ed in editions:
        ed.alternates = [(parse_locale(x), f"{report.id}.{parse_locale(x).bcp47}.html", _language_name(x))
                         for x in all_langs if parse_locale(x).bcp47 != ed.locale.bcp47]
    jobs = [(ed, fmt, opts.engine if fmt == "pdf" else "jinja2") for ed in editions for fmt in opts.formats]
    out_dir = opts.out / report.id
    stamp = timestamp(resolved)
    t = time.perf_counter()
    # every edition is made in memory first; nothing is written unless all of them succeed
    with ThreadPoolExecutor(max_workers=min(4, len(jobs)) or 1) as pool:
        done = list(pool.map(lambda j: _render_one(j, brand, opts, stamp, out_dir), jobs))
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
