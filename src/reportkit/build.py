"""The pipeline, in order: load -> resolve -> localize -> render -> engine -> artifacts.

Which writer and engine make an output is looked up in outputs.REGISTRY. Typst editions compile in
worker processes while the HTML editions render in threads; a compiled PDF whose every input is
unchanged comes from the user cache (cache.py).
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from . import artifacts, cache, outputs
from .errors import Diagnostic, Loc, ReportError, diagnostics_data, diagnostics_from
from .project import Project

if TYPE_CHECKING:  # the stages are imported when a build runs, after the up-to-date check
    from .brand import Brand
    from .localize import Edition
    from .resolve import Resolved


@dataclass
class BuildOptions:
    langs: list | None = None  # None: the source language and every language with a catalog
    formats: tuple = ("pdf", "html")
    engine: str = "typst"  # typst | weasyprint (for PDFs)
    brand: str | None = None  # None: the project's default brand
    notes: str | None = None  # endnotes | footnotes, overriding report and brand
    out: Path = Path("build")
    release: bool = False  # untranslated or fuzzy text, or a placeholder figure, fails the build
    allow_placeholders: bool = False  # with release: ship figures whose artwork is missing, recorded in the manifest
    min_coverage: float = 0.0
    strict: bool = False  # warnings (content and engines) fail the build
    keep_sources: bool = False  # also write what each engine was given (.typ, .paged.html)
    project: Project | None = None  # None: the project the report folder belongs to
    progress: object = None  # callable(event: str, info: dict): start, warning, render, compile, write, done


@dataclass
class BuildResult:
    artifacts: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    editions: list = field(default_factory=list)
    up_to_date: bool = False  # nothing changed since the recorded build: nothing was rendered or written


def timestamp(resolved: Resolved) -> int:
    """The one date written inside every artifact (PDF creation and modification dates, font tables):
    midnight UTC of the report's `date:`. It comes from the content, never from the clock or the
    environment, so two builds of the same commit give the same bytes on any machine."""
    import calendar

    d = resolved.report.meta.date
    return calendar.timegm((d.year, d.month, d.day, 0, 0, 0))


def available_langs(resolved: Resolved) -> list[str]:
    from .i18n.catalog import locales_root
    from .locales import parse_locale

    root = locales_root(resolved.report.folder)
    source = parse_locale(resolved.report.meta.lang).bcp47
    others = sorted(p.parent.name for p in root.glob(f"*/{resolved.report.id}")
                    if p.parent.name != "templates" and any(p.glob("*.po")))
    return [source] + [x for x in others if x != source]


def make_editions(resolved: Resolved, langs: list[str], opts: BuildOptions, warnings: list | None = None) -> list[Edition]:
    """The editions of `langs`; a warning (English interface words) goes to `warnings`, which a build records."""
    from .i18n.catalog import catalog_files, load_translations, locales_root
    from .localize import localize
    from .locales import parse_locale

    root = locales_root(resolved.report.folder)
    source = parse_locale(resolved.report.meta.lang)
    editions = []
    for lang in langs:
        try:
            code = parse_locale(lang)
        except ValueError as e:
            raise ReportError([Diagnostic(Loc("--lang"), f"{e}; use a BCP 47 tag such as en or zh-Hant")])
        from .catalog_ui import interface_words_problem

        ui = interface_words_problem(code.bcp47, code.gettext, "error" if opts.release or opts.strict else "warning")
        if ui is not None and ui.level == "error":
            raise ReportError([Diagnostic(ui.loc, ui.message + " (a --release or --strict build refuses English interface words)")])
        if ui is not None:
            _tell(opts, "warning", diagnostic=ui)
            if warnings is not None:  # recorded, so an up-to-date build says it again
                warnings.append(ui)
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


def notes_style(override: str | None, report, brand: Brand) -> str:
    """Endnotes or footnotes: the command line, else the report, else the brand, else endnotes."""
    return override or report.meta.notes_style or brand.notes or "endnotes"


def edition_name(report_id: str, ed: Edition) -> str:
    return f"{report_id}.{ed.locale.bcp47}"


def _compile_job(args):
    """Runs in a worker process: the typst binding holds the GIL while it lays out, so two editions
    only compile in parallel in two processes."""
    fmt, engine, source, root, brand, stamp = args
    return outputs.get(fmt, engine).compile(source, Path(root), brand, stamp)


def _resident_job(slot: int, args):
    """A Typst edition through the resident compiler of its slot (resident.py); compiled here when no
    server can do it."""
    from . import resident

    fmt, engine, source, root, brand, stamp = args
    made = resident.compile(slot, source, Path(root), tuple(brand.families()), stamp)
    return made if made is not None else _compile_job(args)


def _quiet_worker() -> None:
    # Ctrl-C is the parent's to handle: a worker just ends, without a traceback
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def fork_pool(workers: int):
    """A pool of `workers` forked processes, or None where forking is not safe: once Typst has run in this
    process (see engine.compiled_here: a long-lived process such as preview or the tests), or without fork.
    The one rule for every place reportkit forks: compiles, renders, the glyph check."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import engine

    if engine.compiled_here or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_quiet_worker)


def _pool(workers: int, processes: bool = False):
    """Worker processes for an engine that holds the GIL, else one thread (a single job needs no process
    unless `processes`)."""
    pool = fork_pool(workers) if workers >= 2 or processes else None
    return pool or ThreadPoolExecutor(max_workers=1)


def _stop(pool) -> None:
    """End a pool now (Ctrl-C or an error elsewhere): queued jobs are dropped, workers terminated."""
    procs = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs.values():
        proc.terminate()


class _Job:
    """One artifact: an edition in one output. Its source is rendered here, its bytes come from the
    cache or from the output's engine."""

    def __init__(self, ed: Edition, output: outputs.Output, notes: str, report_id: str):
        self.ed, self.output, self.notes = ed, output, notes
        self.name = f"{edition_name(report_id, ed)}{output.suffix}"
        self.source = ""
        self.key = ""
        self.future: Future | None = None
        self.seconds = 0.0
        self.cached = False
        self.slot: int | None = None  # the resident compiler it goes to, when one is used


def _render(job: _Job, brand: Brand) -> None:
    t = time.perf_counter()
    job.source = job.output.render(job.ed, brand, job.notes)
    job.seconds = time.perf_counter() - t


def _start(job: _Job, brand: Brand, stamp: int, pool_box: list, threads: ThreadPoolExecutor, n_pool: int) -> None:
    """The job's source is rendered: its bytes come from the cache, or its engine starts on them."""
    out = job.output
    if out.cached and cache.enabled():
        job.key = cache.pdf_key(job.source, job.ed.report.folder, brand.families(),
                                {"format": out.format, "engine": out.engine, "timestamp": stamp, "standards": ["ua-1"]})
        hit, said = cache.get("pdf", job.key), cache.get("pdf-diagnostics", job.key)
        if hit is not None and said is not None:
            job.future = Future()
            job.future.set_result((hit, diagnostics_from(json.loads(said))))
            job.cached = True
            return
    args = (out.format, out.engine, job.source, str(job.ed.report.folder), brand, stamp)
    if out.resident and job.slot is not None:
        job.future = threads.submit(_resident_job, job.slot, args)
    elif out.process_pool:
        if not pool_box:
            pool_box.append(_pool(n_pool))
        job.future = pool_box[0].submit(_compile_job, args)
    else:
        job.future = threads.submit(_compile_job, args)


# What forked renderers read (set just before they fork): the jobs and the brand. Editions hold
# read-only mappings, which do not pickle, and a fork shares them for free.
_RENDERING: tuple = ()


def _render_remote(i: int):
    jobs, brand = _RENDERING
    _render(jobs[i], brand)
    return jobs[i].source, jobs[i].seconds


def _render_elsewhere(jobs: list, brand: Brand) -> tuple[dict, object]:
    """Render every edition but the first in a forked process (one process for all of them on two
    cores), while this one renders the first: {job index: Future of (source, seconds)}."""
    first = jobs[0].ed if jobs else None
    others = [i for i, j in enumerate(jobs) if j.ed is not first]
    if not others or (os.cpu_count() or 1) < 2:
        return {}, None
    global _RENDERING
    _RENDERING = (jobs, brand)
    pool = fork_pool(min(len({id(jobs[i].ed) for i in others}), (os.cpu_count() or 1) - 1))
    return ({i: pool.submit(_render_remote, i) for i in others}, pool) if pool else ({}, None)


def _tell(opts: BuildOptions, event: str, **info) -> None:
    if opts.progress is not None:
        opts.progress(event, info)


def build(folder: Path, opts: BuildOptions) -> BuildResult:
    result = BuildResult()
    project = opts.project or Project.of_report(folder)
    brand_name = opts.brand or project.default_brand()
    source = _shown_source(Path(folder), project)
    inputs = None
    if cache.enabled():  # --no-cache builds everything again
        from . import uptodate

        inputs = uptodate.digest(folder, project, brand_name, _options(opts))
        done = uptodate.done(opts.out, source, inputs)
        if done is not None:
            result.artifacts, said = done
            result.warnings = [project.shown(d) for d in diagnostics_from(said)]
            result.up_to_date = True
            for w in result.warnings:
                _tell(opts, "warning", diagnostic=w)
            if opts.strict and result.warnings:
                raise ReportError(result.warnings)
            _tell(opts, "write", artifacts=result.artifacts, up_to_date=True)
            return result
    pool_box = _preload(opts)
    try:
        return _made(Path(folder), opts, project, brand_name, source, inputs, result, pool_box)
    except BaseException:
        for pool in pool_box:  # WeasyPrint's workers, still importing it
            _stop(pool)
        raise


def _made(folder: Path, opts: BuildOptions, project: Project, brand_name: str, source: str, inputs, result: BuildResult,
          pool_box: list) -> BuildResult:
    """The build after the up-to-date check: every stage, then the artifacts published together."""
    from .load import load
    from .resolve import resolve

    t = time.perf_counter()
    report = load(Path(folder))
    resolved = resolve(report)
    result.warnings = list(resolved.warnings)
    for w in resolved.warnings:
        _tell(opts, "warning", diagnostic=w)
    if opts.strict and resolved.warnings:
        raise ReportError(list(resolved.warnings))
    result.timings["load+resolve"] = time.perf_counter() - t
    if opts.release and resolved.placeholders and not opts.allow_placeholders:
        raise ReportError([Diagnostic(resolved.targets[f].loc, f'figure "{f}" has no artwork: a release does not ship '
                                                               "placeholders; add its image, or build with --allow-placeholders")
                           for f in resolved.placeholders])
    brand = project.brand(brand_name)
    all_langs = available_langs(resolved)
    n_slots = _resident_slots(opts, len(opts.langs or all_langs))
    t = time.perf_counter()
    editions = make_editions(resolved, opts.langs or all_langs, opts, result.warnings)
    editions = with_alternates(editions, all_langs)
    result.timings["localize"] = time.perf_counter() - t
    try:
        chosen = [outputs.get(fmt, opts.engine if fmt == "pdf" else "html") for fmt in opts.formats]
    except ValueError as e:
        raise ReportError([Diagnostic(Loc("--format/--engine"), str(e))])
    # outputs compiled in worker processes start first: they must fork before Typst runs here
    chosen.sort(key=lambda o: not o.process_pool)
    names = tuple(f"{edition_name(report.id, ed)}{out.suffix}" for out in chosen for ed in editions)
    editions = [dataclasses.replace(ed, siblings=names) for ed in editions]
    jobs = [_Job(ed, out, notes_style(opts.notes, ed.report, brand), report.id) for out in chosen for ed in editions]
    stamp = timestamp(resolved)
    _tell(opts, "start", report=report.id, jobs=[j.name for j in jobs])
    t = time.perf_counter()
    n_pool = min(sum(j.output.process_pool for j in jobs), os.cpu_count() or 1)
    # an edition always goes to the same resident compiler, whose memory of its last layout makes the
    # recompile incremental (whether the other edition came from the cache or not)
    resident_jobs = [j for j in jobs if j.output.resident] if n_slots else []
    for k, job in enumerate(resident_jobs):
        job.slot = k % n_slots
    # every artifact is made in memory first; nothing is written unless all of them succeed
    remote, render_pool = _render_elsewhere(jobs, brand)
    threads = ThreadPoolExecutor(max_workers=2 + len(resident_jobs))
    try:
        for i, job in enumerate(jobs):
            if i in remote:  # a ReportError there is raised here, diagnostics and all
                job.source, job.seconds = remote[i].result()
            else:
                _render(job, brand)
            _start(job, brand, stamp, pool_box, threads, n_pool)
            _tell(opts, "render", name=job.name, seconds=job.seconds)
        made = []
        for job in jobs:
            data, warnings = job.future.result()
            if job.key and cache.enabled():
                # the engine's warnings are kept with its PDF: a warm build reports what a cold one does
                cache.put("pdf-diagnostics", job.key, json.dumps(diagnostics_data(warnings)).encode())
                cache.put("pdf", job.key, data)
            if job.output.engine == "typst":
                from .render_typst import locate

                warnings = [locate(w, brand) for w in warnings]
            _tell(opts, "compile", name=job.name, cached=job.cached, seconds=time.perf_counter() - t)
            for w in warnings:
                _tell(opts, "warning", diagnostic=w)
            result.warnings.extend(warnings)
            made.append((job, data))
    except BaseException:
        for pool in pool_box + [threads] + ([render_pool] if render_pool else []):
            _stop(pool)
        raise
    finally:
        if render_pool is not None:
            render_pool.shutdown(wait=False)
        threads.shutdown(wait=False)
        if pool_box:
            pool_box[0].shutdown()
    result.timings["render+engine"] = time.perf_counter() - t
    if opts.strict and len(result.warnings) > len(resolved.warnings):
        raise ReportError(result.warnings[len(resolved.warnings):])
    out_dir = opts.out / report.id
    files = []
    for job, data in made:
        ed, out = job.ed, job.output
        files.append((out_dir / job.name, data, {
            "report": report.id, "language": ed.locale.bcp47, "format": out.format, "engine": out.engine,
            "brand": brand.name, "notes": job.notes, "translation": dict(ed.stats) if ed.stats.get("units") else None,
            "placeholders": list(resolved.placeholders)}))
        if opts.keep_sources and out.source_suffix:
            files.append((out_dir / f"{edition_name(report.id, ed)}{out.source_suffix}", job.source.encode("utf-8"), {
                "report": report.id, "language": ed.locale.bcp47, "format": "source", "engine": out.engine}))
        result.timings[job.name] = job.seconds
    # recorded with paths relative to the project, so the manifest is the same from any folder or machine
    said = diagnostics_data(project.recorded(d) for d in result.warnings)
    result.artifacts = artifacts.publish(opts.out, files, source, build=(inputs, said) if inputs else None)
    result.editions = editions
    _tell(opts, "write", artifacts=result.artifacts)
    return result


def _preload(opts: BuildOptions) -> list:
    """[the worker pool] when the PDF engine is slow to import (WeasyPrint: 0.5 s): its workers start now
    and import it while this process loads and renders the report; else []."""
    out = outputs.get("pdf", opts.engine) if "pdf" in opts.formats and opts.engine in outputs.engines("pdf") else None
    if out is None or not out.process_pool or not out.preload:
        return []
    workers = max(1, min(len(opts.langs) if opts.langs else 2, os.cpu_count() or 1))
    pool = _pool(workers, processes=True)
    for _ in range(workers):
        pool.submit(_import, out.preload)
    return [pool]


def _import(module: str) -> None:
    import importlib

    importlib.import_module(module)


def _resident_slots(opts: BuildOptions, editions: int) -> int:
    """How many resident Typst compilers this build uses (0: none, compile in worker processes); their
    servers start now and load while the sources render."""
    from . import resident

    if "pdf" not in opts.formats or not outputs.get("pdf", opts.engine).resident or not resident.enabled():
        return 0
    n = max(1, min(editions, os.cpu_count() or 1, resident.MAX_SLOTS))
    resident.start(n)
    return n


def _options(opts: BuildOptions) -> dict:
    """What of the options changes the artifacts (all but where they go and how progress is shown)."""
    return {"langs": opts.langs, "formats": list(opts.formats), "engine": opts.engine, "brand": opts.brand, "notes": opts.notes,
            "release": opts.release, "allow_placeholders": opts.allow_placeholders, "min_coverage": opts.min_coverage,
            "keep_sources": opts.keep_sources}  # not --strict: it only decides whether the recorded warnings fail


def _shown_source(folder: Path, project: Project) -> str:
    """The report folder as the manifest records it: relative to the project, the same on every machine."""
    try:
        return folder.resolve().relative_to(project.root).as_posix()
    except ValueError:
        return folder.resolve().name


def with_alternates(editions: list, langs: list[str]) -> list:
    """Each edition with the links to its other languages' HTML editions (`hreflang`, the language switch)."""
    from .locales import parse_locale

    return [dataclasses.replace(ed, alternates=tuple(
        (parse_locale(x), f"{ed.report.id}.{parse_locale(x).bcp47}.html", language_name(x))
        for x in langs if parse_locale(x).bcp47 != ed.locale.bcp47)) for ed in editions]


def language_name(tag: str) -> str:
    from babel import Locale

    from .locales import parse_locale

    code = parse_locale(tag)
    return Locale.parse(code.babel).get_display_name(code.babel) or code.bcp47
