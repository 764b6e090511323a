"""The `reportkit` command: build, check, i18n (extract, update, status, check), preflight."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .errors import ReportError

def _project(a):
    from .project import Project

    return Project.find(explicit=Path(a.project) if getattr(a, "project", None) else None)


def _report(a) -> Path:
    """The report folder a command works on (see Project.report_folder)."""
    return _project(a).report_folder(getattr(a, "report", None))


def _brand(a) -> str:
    return getattr(a, "brand", None) or _project(a).default_brand()


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
    result = build(_report(a), BuildOptions(langs=langs, formats=formats, engine=a.engine, brand=_brand(a),
                                            notes=a.notes, out=Path(a.out), release=a.release,
                                            min_coverage=a.min_coverage, strict=a.strict,
                                            keep_sources=a.keep_sources, project=_project(a),
                                            allow_placeholders=a.allow_placeholders))
    for w in result.warnings:
        print(w, file=sys.stderr)
    for art in result.artifacts:
        extra = f", {art.pages} pages" if art.pages else ""
        tr = art.translation
        if tr:
            extra += f", {tr['translated']}/{tr['units']} translated, {tr['fallback']} fell back to source"
        print(f"wrote {Path(a.out) / art.path} ({art.bytes:,} bytes{extra})")
    print(f"built {len(result.artifacts)} artifacts in {time.perf_counter() - t:.2f} s; manifest: {Path(a.out) / 'manifest.json'}")
    return 0


def cmd_check(a) -> int:
    from .build import available_langs
    from .i18n.catalog import locales_root
    from .i18n.check import check_catalogs
    from .load import load
    from .resolve import resolve

    resolved = resolve(load(_report(a)))
    _project(a).brand(_brand(a))
    problems = list(resolved.warnings)
    for lang in available_langs(resolved)[1:]:
        problems.extend(check_catalogs(resolved, lang, locales_root(resolved.report.folder)).items)
    if a.glyphs and not any(d.level == "error" for d in problems):
        from .build import BuildOptions, make_editions
        from .glyphs import check_glyphs
        editions = make_editions(resolved, available_langs(resolved), BuildOptions())
        problems.extend(check_glyphs(resolved, _brand(a), editions))
    for d in problems:
        print(d)
    errors = [d for d in problems if d.level == "error"]
    warnings = [d for d in problems if d.level == "warning"]
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors or (a.strict and warnings) else 0


def cmd_i18n(a) -> int:
    from .i18n import catalog
    from .load import load
    from .resolve import resolve

    resolved = resolve(load(_report(a)))
    root = catalog.locales_root(resolved.report.folder)
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
        for lang in langs:
            items.extend(check_catalogs(resolved, lang, root).items)
        for d in items:
            print(d)
        errors = sum(d.level == "error" for d in items)
        print(f"{errors} errors, {len(items) - errors} warnings")
        return 1 if errors or (a.strict and items) else 0
    return 2


def cmd_preview(a) -> int:
    from .preview import Previewer

    p = Previewer(_report(a), a.lang, _brand(a), Path(a.out), _project(a))
    print("watching content, catalogs and styles; Ctrl-C to stop", flush=True)
    p.watch()
    return 0


def cmd_preflight(a) -> int:
    from .preflight import run_preflight

    return run_preflight(Path(a.build_dir), require_all=a.require_all, json_out=a.json_out, project=_project(a).root)


def cmd_clean(a) -> int:
    from . import cache

    size = cache.default().size() if hasattr(cache.default(), "size") else None
    cache.clear()
    print(f"emptied {cache.cache_dir()}" + (f" ({size:,} bytes)" if size else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reportkit", description="Publish structured policy reports as PDF and HTML editions.")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    p.add_argument("--project", help="the project folder (default: the nearest folder holding content/, from here upward)")
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
    i.add_argument("action", choices=["extract", "update", "status", "check"])
    i.add_argument("report", nargs="?")
    i.add_argument("--lang")
    i.add_argument("--json", action="store_true")
    i.add_argument("--min-coverage", type=float, default=0.0)
    i.add_argument("--strict", action="store_true")
    i.set_defaults(func=cmd_i18n)
    v = sub.add_parser("preview", help="rebuild one PDF edition on every change (stays running)")
    v.add_argument("report", nargs="?")
    v.add_argument("--lang")
    v.add_argument("--brand")
    v.add_argument("--out", default="build")
    v.set_defaults(func=cmd_preview)
    f = sub.add_parser("preflight", help="judge built artifacts with independent validators")
    f.add_argument("build_dir", nargs="?", default="build")
    f.add_argument("--require-all", action="store_true", help="a missing validator is a failure")
    f.add_argument("--json-out", default=None, help="where to write the JSON report (default BUILD_DIR/preflight.json)")
    f.set_defaults(func=cmd_preflight)
    return p


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
    try:
        return args.func(args)
    except ReportError as e:
        for d in e.diagnostics:
            print(d, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
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
        if args.debug:
            raise
        print(os_error_line(e), file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a person gets one line, a developer asks for --debug
        if args.debug:
            raise
        print(f"reportkit: internal error: {type(e).__name__}: {e} (run with --debug for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
