"""The `reportkit` command: build, check, i18n (extract, update, status, check, export-xliff, import-xliff,
export-tmx, pretranslate, export-tbx), preflight, refs import."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .errors import ReportError

def _project(a):
    """--project, else the project of the report named on the command line, else the one holding the
    working directory (a report folder given from elsewhere belongs to its own project)."""
    from .project import Project

    if getattr(a, "project", None):
        return Project.find(explicit=Path(a.project))
    report = getattr(a, "report", None)
    if report and (Path(report) / "report.yaml").is_file():
        return Project.of_report(Path(report))
    return Project.find()


def _report(a) -> Path:
    """The report folder a command works on (see Project.report_folder)."""
    return _project(a).report_folder(getattr(a, "report", None))


def _brand(a) -> str:
    return getattr(a, "brand", None) or _project(a).default_brand()


def _console(a):
    """The command's Console (made once in main from --quiet, --verbose and --diagnostics)."""
    con = getattr(a, "console", None)
    if con is None:
        from .console import Console

        con = a.console = Console(quiet=getattr(a, "quiet", False), verbose=getattr(a, "verbose", False),
                                  diagnostics=getattr(a, "diagnostics", "text"))
    return con


def cmd_build(a) -> int:
    from .build import BuildOptions, build

    from . import outputs

    formats = tuple(f.strip() for f in a.format.split(",") if f.strip())
    known = sorted({f for f, _ in outputs.REGISTRY})
    bad = [f for f in formats if f not in known]
    if bad:
        raise SystemExit(f"reportkit: error: unknown format {bad[0]!r}; use {', '.join(known)} or a comma-separated list")
    langs = [x.strip() for x in a.lang.split(",")] if a.lang else None
    t = time.perf_counter()
    from . import cache

    if a.no_cache:
        cache.set_enabled(False)
    con = _console(a)
    con.step(f"loading {_report(a)}")
    try:
        result = build(_report(a), BuildOptions(langs=langs, formats=formats, engine=a.engine, brand=_brand(a),
                                                notes=a.notes, out=Path(a.out), release=a.release,
                                                min_coverage=a.min_coverage, strict=a.strict,
                                                keep_sources=a.keep_sources, project=_project(a),
                                                allow_placeholders=a.allow_placeholders, progress=con.build_events))
    finally:
        con.close()
    for w in result.warnings:  # every warning was printed as it was found; this prints only any not reported
        con.diagnostic(w)
    con.build_summary(result, Path(a.out), time.perf_counter() - t)
    return 0


def cmd_check(a) -> int:
    from .build import available_langs
    from .i18n.catalog import locales_root
    from .i18n.check import check_catalogs
    from .load import load
    from .resolve import resolve

    from .catalog_ui import interface_words_problem
    from .locales import parse_locale

    con = _console(a)
    problems = []

    def found(items):
        for d in items:  # each printed as soon as its step finds it
            problems.append(d)
            con.diagnostic(d, sys.stdout)

    from . import cache
    from .errors import diagnostics_data, diagnostics_from

    project, key = _project(a), None
    if cache.enabled():  # unchanged input: the findings of the last check, without checking again
        from . import uptodate

        key = uptodate.digest(_report(a), project, _brand(a), {"command": "check", "glyphs": a.glyphs})
        said = cache.get("check", key)
        if said is not None:
            found([project.shown(d) for d in diagnostics_from(json.loads(said))])
            return _check_summary(con, problems, a)
    con.step(f"loading and resolving {_report(a)}")
    resolved = resolve(load(_report(a)))
    brand = project.brand(_brand(a))  # the project's brand, as the build finds it, for the glyph check too
    found(resolved.warnings)
    for lang in available_langs(resolved):
        code = parse_locale(lang)
        found([d for d in [interface_words_problem(code.bcp47, code.gettext)] if d is not None])
    from .glyphs import check_aside

    # the glyph check (every edition typeset) runs in a forked process while this one checks catalogs
    glyphs = check_aside(resolved, brand) if a.glyphs and not any(d.level == "error" for d in problems) else None
    for lang in available_langs(resolved)[1:]:
        con.step(f"checking the {lang} catalogs")
        found(check_catalogs(resolved, lang, locales_root(resolved.report.folder)).items)
    if glyphs is not None and not any(d.level == "error" for d in problems):
        con.step("checking glyph coverage of every edition")
        found(glyphs())
    if key is not None:
        cache.put("check", key, json.dumps(diagnostics_data(project.recorded(d) for d in problems)).encode())
    return _check_summary(con, problems, a)


def _check_summary(con, problems, a) -> int:
    con.close()
    errors = [d for d in problems if d.level == "error"]
    warnings = [d for d in problems if d.level == "warning"]
    con.say(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors or (a.strict and warnings) else 0


_I18N_FILE_ACTIONS = {"import-xliff": (".xlf", ".xliff"), "pretranslate": (".tmx",)}


def _i18n_write(path: str | None, text: str, what: str) -> None:
    if not path or path == "-":
        sys.stdout.write(text)
        return
    from .artifacts import atomic_write

    atomic_write(Path(path), text.encode("utf-8"))  # a failed write leaves the old file, never half a new one
    print(f"wrote {what} {path}")


def cmd_i18n(a) -> int:
    from .i18n import catalog
    from .load import load
    from .resolve import resolve

    if a.action in _I18N_FILE_ACTIONS and a.report and a.report.lower().endswith(_I18N_FILE_ACTIONS[a.action]):
        a.file, a.report = a.report, a.file  # `import-xliff FILE [REPORT]`
    if a.action == "export-tmx":  # every report of the project: no report to load
        from .i18n import tmx
        root = _project(a).root / "locales"
        _i18n_write(a.output, tmx.export(root, a.lang), "translation memory")
        return 0
    resolved = resolve(load(_report(a)))
    root = catalog.locales_root(resolved.report.folder)
    if a.action == "export-xliff":
        from .i18n import xliff
        if not a.lang:
            raise SystemExit("reportkit: error: i18n export-xliff needs --lang, e.g. --lang zh-Hant")
        _i18n_write(a.output, xliff.export(resolved.report.id, a.lang, root), "XLIFF 2.0")
        return 0
    if a.action == "import-xliff":
        from .i18n import xliff
        if not a.file:
            raise SystemExit("reportkit: error: i18n import-xliff needs the XLIFF file: reportkit i18n import-xliff FILE.xlf")
        for p, changed, n in xliff.import_file(Path(a.file), root):
            print(f"{'updated' if changed else 'unchanged'} {p} ({n} units)")
        return 0
    if a.action == "export-tbx":
        from .i18n import termbase
        if not a.lang:
            raise SystemExit("reportkit: error: i18n export-tbx needs --lang, e.g. --lang zh-Hant")
        _i18n_write(a.output, termbase.to_tbx(termbase.load(root, a.lang)), "TBX termbase")
        return 0
    if a.action == "pretranslate" or (a.action == "update" and a.tm):
        if not a.lang:
            raise SystemExit(f"reportkit: error: i18n {a.action} needs --lang, e.g. --lang zh-Hant")
        tm = a.tm or a.file
        if not tm:
            raise SystemExit("reportkit: error: i18n pretranslate needs a translation memory: --tm memory.tmx")
        from .i18n import tmx
        if a.action == "update":
            for p, changed in catalog.update(resolved, a.lang, root):
                print(f"{'updated' if changed else 'unchanged'} {p}")
        for p, changed, exact, fuzzy in tmx.pretranslate(resolved.report.id, a.lang, root, Path(tm)):
            if exact or fuzzy:
                print(f"pretranslated {p}: {exact} in-context exact (translated), {fuzzy} exact elsewhere (fuzzy)")
        return 0
    if a.action == "extract":
        for p in catalog.extract(resolved, root):
            print(f"wrote {p}")
        return 0
    if a.action == "update":
        if not a.lang:
            raise SystemExit("reportkit: error: i18n update needs --lang, e.g. --lang zh-Hant")
        for p, changed in catalog.update(resolved, a.lang, root):
            print(f"{'updated' if changed else 'unchanged'} {p}")
        return 0
    if a.action == "status":
        from .build import available_langs
        langs = [a.lang] if a.lang else available_langs(resolved)[1:]
        report = {}
        low = False
        for lang in langs:
            counts = catalog.per_catalog_counts(resolved, lang, root)
            total = {k: sum(c[k] for c in counts.values()) for k in next(iter(counts.values()), {})}
            entries = total.get("translated", 0) + total.get("fuzzy", 0) + total.get("untranslated", 0)
            pct = 100.0 * total.get("translated", 0) / entries if entries else 100.0
            report[lang] = {"coverage": round(pct, 2), "total": total, "catalogs": counts}
            low = low or pct < a.min_coverage
        if a.json:
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            for lang, info in report.items():
                print(f"{lang}: {info['coverage']:.1f}% translated")
                print(f"  {'catalog':32} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} {'words tr/fz/un':>18}")
                for name, c in info["catalogs"].items():
                    print(f"  {name:32} {c['translated']:>10} {c['fuzzy']:>6} {c['untranslated']:>9} "
                          f"{c['words_translated']:>8}/{c['words_fuzzy']}/{c['words_untranslated']}")
        return 1 if low else 0
    if a.action == "check":
        from .build import available_langs
        from .i18n.check import check_catalogs
        langs = [a.lang] if a.lang else available_langs(resolved)[1:]
        items = []
        con = _console(a)
        for lang in langs:
            con.step(f"checking the {lang} catalogs")
            new = check_catalogs(resolved, lang, root).items
            for d in new:
                con.diagnostic(d, sys.stdout)
            items.extend(new)
        con.close()
        errors = sum(d.level == "error" for d in items)
        con.say(f"{errors} errors, {len(items) - errors} warnings")
        return 1 if errors or (a.strict and items) else 0
    return 2


def cmd_preview(a) -> int:
    import signal

    from .preview import Preview

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    langs = [x.strip() for x in a.lang.split(",") if x.strip()] if a.lang else None
    p = Preview(_report(a), _project(a), _brand(a), langs, Path(a.out), pdf=not a.no_pdf,
                log=lambda line: print(line, flush=True))
    try:
        p.serve(a.port)
    except KeyboardInterrupt:
        print("preview: stopped", flush=True)
    return 0


def cmd_import(a) -> int:
    from .importer import import_docx
    from .load import load
    from .resolve import resolve

    t = time.perf_counter()
    dest = Path(a.to)
    result = import_docx(Path(a.docx), dest, lang=a.lang, force=a.force)
    for u in result.unmapped:
        print(f"{a.docx}: {u}", file=sys.stderr)
    resolved = resolve(load(dest))  # what was written loads and resolves, or this is reportkit's bug
    for d in resolved.warnings:
        print(d, file=sys.stderr)
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items() if v)
    print(f"imported {a.docx} into {dest} in {time.perf_counter() - t:.2f} s ({counts}); "
          f"{len(result.unmapped)} items not mapped as written, listed in {dest / 'IMPORT-NOTES.md'}")
    return 0


def cmd_preflight(a) -> int:
    from .preflight import run_preflight

    con = _console(a)
    try:
        return run_preflight(Path(a.build_dir), require_all=a.require_all, json_out=a.json_out, project=_project(a).root,
                             junit=a.junit, console=con)
    finally:
        con.close()


def cmd_clean(a) -> int:
    from . import cache, resident

    resident.stop_all()  # its compilers are a cache too

    size = cache.default().size() if hasattr(cache.default(), "size") else None
    cache.clear()
    print(f"emptied {cache.cache_dir()}" + (f" ({size:,} bytes)" if size else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reportkit", description="Publish structured policy reports as PDF and HTML editions.")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    p.add_argument("--project", help="the project folder (default: the nearest folder holding content/, from here upward)")
    _output_options(p, None)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="check, then build editions into build/")
    b.add_argument("report", nargs="?", help="report folder (default: [tool.reportkit] default-report, or the only report)")
    b.add_argument("--lang", help="comma-separated languages (default: source + every language with catalogs)")
    b.add_argument("--format", default="pdf,html", help="pdf, html or pdf,html (default)")
    from . import outputs

    b.add_argument("--engine", default="typst", choices=outputs.engines("pdf"), help="PDF engine")
    b.add_argument("--brand", help="brand under styles/ (default: [tool.reportkit] default-brand, or dset)")
    b.add_argument("--notes", choices=["endnotes", "footnotes"], help="override the report's notes style")
    b.add_argument("--out", default="build", help="output folder (default build)")
    b.add_argument("--release", action="store_true", help="fail on any untranslated or fuzzy text or placeholder figure")
    b.add_argument("--allow-placeholders", action="store_true",
                   help="with --release: ship figures whose artwork is missing (recorded in the manifest)")
    b.add_argument("--min-coverage", type=float, default=0.0, help="fail below this translation percentage")
    b.add_argument("--strict", action="store_true", help="warnings fail too (content, Typst and WeasyPrint)")
    b.add_argument("--keep-sources", action="store_true", help="also write what each engine was given (.typ, .paged.html)")
    b.add_argument("--no-cache", action="store_true", help="compile everything again, without reading or filling the cache")
    b.set_defaults(func=cmd_build)
    k = sub.add_parser("clean", help="empty reportkit's cache folder (compiled PDFs, font subsets)")
    k.set_defaults(func=cmd_clean)
    c = sub.add_parser("check", help="check content, references and catalogs without building")
    c.add_argument("report", nargs="?")
    c.add_argument("--brand")
    c.add_argument("--strict", action="store_true")
    c.add_argument("--no-glyphs", dest="glyphs", action="store_false", help="skip the font glyph-coverage check")
    c.set_defaults(func=cmd_check)
    i = sub.add_parser("i18n", help="translation catalogs")
    i.add_argument("action", choices=["extract", "update", "status", "check", "export-xliff", "import-xliff",
                                      "export-tmx", "pretranslate", "export-tbx"])
    i.add_argument("report", nargs="?", help="the report (import-xliff: the .xlf file, then the report)")
    i.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    i.add_argument("--lang")
    i.add_argument("-o", "--output", help="export-xliff / export-tmx / export-tbx: the file to write (default stdout)")
    i.add_argument("--tm", help="update / pretranslate: fill untranslated entries from this TMX translation memory")
    i.add_argument("--json", action="store_true")
    i.add_argument("--min-coverage", type=float, default=0.0)
    i.add_argument("--strict", action="store_true")
    i.set_defaults(func=cmd_i18n)
    v = sub.add_parser("preview", help="serve the HTML editions on localhost, rebuilding them (and the PDFs) on every change")
    v.add_argument("report", nargs="?")
    v.add_argument("--lang", help="comma-separated languages (default: source + every language with catalogs)")
    v.add_argument("--brand")
    v.add_argument("--out", default="build", help="where the preview PDFs go (default build)")
    v.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    v.add_argument("--no-pdf", action="store_true", help="serve the HTML only, without rebuilding the PDFs")
    v.set_defaults(func=cmd_preview)
    m = sub.add_parser("import", help="turn a Word document (.docx) into a report folder (needs pandoc)")
    m.add_argument("docx", help="the Word document")
    m.add_argument("--to", required=True, help="the report folder to create, e.g. content/my-report")
    m.add_argument("--lang", default="en", help="language of the document's text (default en)")
    m.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    m.set_defaults(func=cmd_import)
    f = sub.add_parser("preflight", help="judge built artifacts with independent validators")
    f.add_argument("build_dir", nargs="?", default="build")
    f.add_argument("--require-all", action="store_true", help="a missing validator is a failure")
    f.add_argument("--json-out", default=None, help="where to write the JSON report (default BUILD_DIR/preflight.json)")
    f.add_argument("--junit", default=None, metavar="FILE",
                   help="also write JUnit XML: one testcase per check per artifact (failures, skipped tools)")
    f.set_defaults(func=cmd_preflight)
    _add_new_commands(sub)
    for command in sub.choices.values():  # the global output options may also follow the command
        _output_options(command, argparse.SUPPRESS)
    return p


def _output_options(p, default) -> None:
    """--quiet, --verbose, --diagnostics: before the command (defaults) or after it (SUPPRESS keeps those)."""
    p.add_argument("-q", "--quiet", action="store_true", default=default if default is not None else False,
                   help="print only warnings and errors")
    p.add_argument("-v", "--verbose", action="store_true", default=default if default is not None else False,
                   help="print every step on its own line, with timings")
    p.add_argument("--diagnostics", choices=["text", "github", "json"], default=default if default is not None else "text",
                   help="how warnings and errors print: text (file:line:col: level: message), github "
                        "(::error file=…,line=…::message annotations) or json (one object per line on stdout)")


def _add_new_commands(sub) -> None:
    n = sub.add_parser("new", help="scaffold a report in this project: content/REPORT/ that builds at once")
    n.add_argument("name", metavar="REPORT", help="the report's folder name under content/ (also its id)")
    n.add_argument("--lang", action="append", default=[], help="a translation language to make catalogs for (repeatable)")
    n.add_argument("--brand", help="the brand to use (made with new-brand if it does not exist); "
                                   "default: the project's default-brand, else its only brand, else the built-in plain")
    n.add_argument("--title", help="the report's title (default: made from REPORT)")
    n.set_defaults(func=cmd_new)
    nb = sub.add_parser("new-brand", help="scaffold styles/NAME/: a brand that inherits base (palette, fonts, logo)")
    nb.add_argument("name", metavar="NAME")
    nb.set_defaults(func=cmd_new_brand)
    r = sub.add_parser("refs", help="the report's references (CSL-JSON or BibTeX named by references: in report.yaml)")
    rs = r.add_subparsers(dest="action", required=True)
    ri = rs.add_parser("import", help="merge a CSL-JSON or BibTeX export into the report's references, reporting duplicates",
                       description="Append the export's new entries to the report's first references file (or --into); "
                                   "an entry with the same id, DOI, URL, or title + year + first author as one already "
                                   "there is reported and not added; the same id for another source is a conflict.")
    ri.add_argument("file", metavar="FILE", help="the export: CSL-JSON (.json) or BibTeX/BibLaTeX (.bib)")
    ri.add_argument("report", nargs="?", help="report folder (default: [tool.reportkit] default-report, or the only report)")
    ri.add_argument("--into", metavar="NAME", help="the references file to add to, one of references: in report.yaml "
                                                   "(default: the first; a report without any gets references.json)")
    ri.add_argument("--dry-run", action="store_true", help="print what would be added and write nothing")
    ri.set_defaults(func=cmd_refs_import)


def cmd_refs_import(a) -> int:
    from .refs import import_file

    for line in import_file(_report(a), Path(a.file), a.file, into=a.into, dry_run=a.dry_run):
        print(line)
    return 0


def cmd_new(a) -> int:
    from .scaffold import new_report

    con = _console(a)
    for line in new_report(_project(a), a.name, langs=a.lang, brand=a.brand, title=a.title):
        con.say(line)
    return 0


def cmd_new_brand(a) -> int:
    from .scaffold import new_brand

    con = _console(a)
    for line in new_brand(_project(a), a.name):
        con.say(line)
    return 0


def main(argv=None) -> int:
    def os_error_line(e: OSError) -> str:
        """'reportkit: cannot write build/x.pdf: No space left on device' (or read), from the failing call."""
        import errno
        import os as _os
        import traceback

        verb = None
        if e.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.EEXIST):
            verb = "write"
        writing = {"write_text", "write_bytes", "mkdir", "touch", "atomic_write", "publish", "replace", "rename",
                   "unlink", "rmdir", "rmtree", "copy", "copyfile", "copytree", "move", "chmod", "symlink_to", "makedirs",
                   "_write_new", "_write_fd", "_locked", "_publish_locked"}
        reading = {"read_text", "read_bytes", "iterdir", "glob", "rglob", "scandir", "listdir", "stat", "load", "read_yaml"}
        for frame, _ in reversed(list(traceback.walk_tb(e.__traceback__))):
            if verb:
                break
            mode, flags, name = frame.f_locals.get("mode"), frame.f_locals.get("flags"), frame.f_code.co_name
            if isinstance(mode, str) and mode:
                verb = "write" if set(mode) & set("wax+") else "read"
            elif isinstance(flags, int) and not isinstance(flags, bool) and name in ("open", "_write_new", "_locked"):
                verb = "write" if flags & (_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT) else "read"
            elif name in writing:
                verb = "write"
            elif name in reading:
                verb = "read"
        verb = verb or ("read" if e.errno in (errno.ENOENT, errno.ENOTDIR) else "access")
        cause = e.strerror or str(e) or type(e).__name__
        where = f" {e.filename}" if e.filename is not None else ""
        if e.filename2 is not None:
            where += f" -> {e.filename2}"
        return f"reportkit: cannot {verb}{where}: {cause}"

    args = parser().parse_args(argv)
    con = _console(args)
    try:
        return args.func(args)
    except ReportError as e:
        con.close()
        for d in e.diagnostics:
            con.diagnostic(d, sys.stderr)
        return 1
    except KeyboardInterrupt:
        con.close()
        if args.debug:
            raise
        print("reportkit: interrupted", file=sys.stderr, flush=True)
        if argv is None:  # the real command: end now, without waiting for worker threads or processes
            import multiprocessing
            import os as _os
            import signal
            import threading

            signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C ends it at once, silently
            others = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
            if others or multiprocessing.active_children():
                from . import artifacts

                artifacts.wait_idle(5.0)  # a publish renaming files into place finishes first
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except (OSError, ValueError):
                        pass
                _os._exit(130)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: nothing more to say
        import os as _os

        try:
            _os.dup2(_os.open(_os.devnull, _os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as e:
        con.close()
        if args.debug:
            raise
        print(os_error_line(e), file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a person gets one line, a developer asks for --debug
        con.close()
        if args.debug:
            raise
        print(f"reportkit: internal error: {type(e).__name__}: {e} (run with --debug for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
