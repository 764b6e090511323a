"""Live preview: serve the HTML edition of every language on localhost and rebuild on every change.

`reportkit preview [REPORT] [--port N] [--lang en,zh-Hant] [--brand NAME] [--no-pdf]`

- One process: a watcher thread polls the files the editions are made of (the report folder with its
  YAML and figures of every type, the catalogs under locales/, the brand folders and templates)
  every 0.1 s. On a change it loads and resolves the report once and renders the HTML of every
  language first (the page a reader is looking at updates in a fraction of a second), then hands the
  editions to the PDF thread, which compiles them with Typst in-process (its fonts stay loaded) into
  build/<report>/<report>.<lang>.preview.pdf. A newer change supersedes a PDF not yet compiled.
- The server (stdlib http.server, 127.0.0.1 only) serves `/` (the source language), `/<report>.<lang>.html`
  (the names the editions' language links use), the preview PDFs and `/__version` (JSON: version,
  errors, warnings, PDF state). Only the served page gets a small script and an overlay: the script
  polls `/__version` every 300 ms and reloads (keeping the scroll position) when it changes; the
  overlay lists errors and warnings as file:line messages. Built artifacts are never touched.
- Errors keep the last good page on screen under the overlay; they are printed in the terminal too.
"""
from __future__ import annotations

import dataclasses
import html
import json
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

from .errors import ReportError

POLL_MS = 300


@dataclasses.dataclass
class State:
    version: int = 0
    pages: dict = dataclasses.field(default_factory=dict)  # bcp47 -> html
    source_lang: str = ""
    errors: list = dataclasses.field(default_factory=list)  # str
    warnings: list = dataclasses.field(default_factory=list)  # str
    pdf: dict = dataclasses.field(default_factory=dict)  # bcp47 -> {"path", "status", "seconds"}
    pdf_errors: list = dataclasses.field(default_factory=list)
    built_at: float = 0.0
    seconds: float = 0.0


class Preview:
    def __init__(self, folder: Path, project=None, brand: str | None = None, langs: list | None = None,
                 out: Path = Path("build"), pdf: bool = True, log=print):
        from .project import Project

        self.folder = Path(folder)
        self.project = project or Project.of_report(self.folder)
        self.brand_name = brand or self.project.default_brand()
        self.langs, self.out, self.want_pdf, self.log = langs, Path(out), pdf, log
        self.state = State()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.pdf_job = None
        self.pdf_wake = threading.Condition()
        self.report_id = self.folder.resolve().name

    # -- what is watched --
    def roots(self) -> list[Path]:
        """What a build reads (uptodate.input_folders), and every brand folder: a brand made or renamed
        while the preview runs is seen too."""
        from .uptodate import input_folders

        return [*input_folders(self.folder, self.project, self.brand_name), *self.project.style_search()]

    def snapshot(self) -> dict:
        out = {}
        for root in self.roots():
            if not root.is_dir():
                continue
            for p in root.rglob("*"):
                try:
                    st = p.stat()
                except OSError:
                    continue
                if p.is_file():
                    out[p] = (st.st_mtime_ns, st.st_size)
        return out

    # -- building --
    def build_html(self) -> None:
        """Load, resolve and render every language's HTML; publish them with a new version."""
        from .build import BuildOptions, available_langs, make_editions, notes_style
        from .load import load
        from .locales import parse_locale
        from .render_html import render_html
        from .resolve import resolve

        t = time.perf_counter()
        try:
            resolved = resolve(load(self.folder))
            brand = self.project.brand(self.brand_name)
            all_langs = available_langs(resolved)
            langs = self.langs or all_langs
            editions = make_editions(resolved, langs, BuildOptions())
            from .build import with_alternates

            editions = with_alternates(editions, langs)
            pages = {}
            for ed in editions:
                pages[ed.locale.bcp47] = render_html(ed, brand, notes_style(None, ed.report, brand), webfonts=True)
        except ReportError as e:
            self.publish(errors=[str(d) for d in e.diagnostics if d.level == "error"] or [str(d) for d in e.diagnostics],
                         warnings=[str(d) for d in e.diagnostics if d.level != "error"], seconds=time.perf_counter() - t)
            return
        except Exception as e:  # noqa: BLE001 - a template or reportkit bug: shown, the preview stays up
            self.publish(errors=[f"reportkit: internal error: {type(e).__name__}: {e}"], seconds=time.perf_counter() - t)
            return
        self.report_id = resolved.report.id
        self.publish(pages=pages, source=parse_locale(resolved.report.meta.lang).bcp47,
                     warnings=[str(d) for d in resolved.warnings], seconds=time.perf_counter() - t)
        if self.want_pdf:
            with self.pdf_wake:
                self.pdf_job = (resolved, editions, brand, self.state.version)
                with self.lock:
                    for ed in editions:
                        entry = self.state.pdf.setdefault(ed.locale.bcp47, {"path": "", "seconds": 0.0})
                        entry["status"] = "building"
                self.pdf_wake.notify()

    def publish(self, pages=None, source=None, errors=(), warnings=(), seconds=0.0) -> None:
        with self.lock:
            s = self.state
            if pages is not None:
                s.pages, s.source_lang = pages, source
            s.errors, s.warnings = list(errors), list(warnings)
            s.version += 1
            s.built_at, s.seconds = time.time(), seconds
        for line in [*errors, *warnings]:
            self.log(line)
        if errors:
            self.log(f"preview: {len(errors)} errors; the page shows the last good version under an overlay")
        else:
            self.log(f"preview: HTML updated in {seconds:.2f} s (version {self.state.version})")

    def pdf_loop(self) -> None:
        from .artifacts import atomic_write
        from .build import notes_style, timestamp
        from .engine import typst_pdf
        from .render_typst import render_typst

        while not self.stop.is_set():
            with self.pdf_wake:
                while self.pdf_job is None and not self.stop.is_set():
                    self.pdf_wake.wait(0.5)
                job, self.pdf_job = self.pdf_job, None
            if job is None:
                continue
            resolved, editions, brand, version = job
            pdf_errors = []
            for ed in editions:
                if self.pdf_job is not None or self.stop.is_set():
                    break  # a newer change: compile that instead
                lang = ed.locale.bcp47
                t = time.perf_counter()
                path = self.out / resolved.report.id / f"{resolved.report.id}.{lang}.preview.pdf"
                try:
                    pdf, warnings = (typst_pdf(render_typst(ed, brand, notes_style(None, ed.report, brand)),
                                                    ed.report.folder, tuple(brand.families()), timestamp(resolved)))
                    atomic_write(path, pdf)
                    status = "ok"
                    pdf_errors += [str(w) for w in warnings]
                except ReportError as e:
                    status = "failed"
                    pdf_errors += [str(d) for d in e.diagnostics]
                except OSError as e:
                    status = "failed"
                    pdf_errors.append(f"reportkit: cannot write {path}: {e.strerror or e}")
                seconds = time.perf_counter() - t
                with self.lock:
                    self.state.pdf[lang] = {"path": str(path), "status": status, "seconds": round(seconds, 2)}
                    self.state.pdf_errors = pdf_errors
                    self.state.version += 1  # the page's PDF link and messages change
                for line in pdf_errors:
                    self.log(line)
                self.log(f"preview: {'wrote' if status == 'ok' else 'could not write'} {path} ({seconds:.2f} s)")

    def watch_loop(self, interval: float = 0.1) -> None:
        seen = self.snapshot()
        while not self.stop.wait(interval):
            now = self.snapshot()
            if now != seen:
                seen = now
                self.build_html()

    # -- serving --
    def page(self, lang: str | None) -> bytes | None:
        with self.lock:
            s = self.state
            lang = lang or s.source_lang
            body = s.pages.get(lang)
            if body is None and not s.pages and s.errors:
                body = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>reportkit preview</title></head><body></body></html>"
            if body is None:
                return None
            inject = self.overlay(lang)
        i = body.rfind("</body>")
        return (body[:i] + inject + body[i:] if i >= 0 else body + inject).encode("utf-8")

    def status(self) -> dict:
        s = self.state
        return {"version": s.version, "errors": s.errors, "warnings": s.warnings + s.pdf_errors,
                "pdf": {k: {"href": f"/{self.report_id}.{k}.preview.pdf", **v} for k, v in s.pdf.items()},
                "languages": sorted(s.pages), "seconds": round(s.seconds, 3)}

    def overlay(self, lang: str) -> str:
        st = self.status()
        items = "".join(f'<li class="rk-error">{html.escape(m)}</li>' for m in st["errors"])
        items += "".join(f'<li class="rk-warning">{html.escape(m)}</li>' for m in st["warnings"])
        pdf = st["pdf"].get(lang)
        pdf_link = (f'<a href="{pdf["href"]}" target="_blank" rel="noopener">PDF</a> ({pdf["status"]})' if pdf else "")
        langs = " ".join(f'<a href="/{self.report_id}.{x}.html">{x}</a>' for x in st["languages"])
        return f"""
<div id="rk-preview" data-version="{st['version']}" style="all:initial">
<style>
#rk-bar{{position:fixed;right:8px;bottom:8px;z-index:2147483647;font:12px/1.4 sans-serif;background:#222;color:#eee;padding:4px 8px;border-radius:4px;opacity:.85}}
#rk-bar a{{color:#9cf}}
#rk-overlay{{position:fixed;left:0;right:0;top:0;max-height:60vh;overflow:auto;z-index:2147483646;background:rgba(30,0,0,.92);color:#fff;font:13px/1.45 monospace;padding:12px 16px;margin:0}}
#rk-overlay li{{list-style:none;white-space:pre-wrap;margin:2px 0}}
#rk-overlay .rk-error{{color:#ff8a80}} #rk-overlay .rk-warning{{color:#ffe082}}
</style>
<div id="rk-bar">reportkit preview · v{st['version']} · {langs} {pdf_link}</div>
{f'<ul id="rk-overlay" role="alert">{items}</ul>' if items else ''}
<script>
(function(){{
  var v = {st['version']};
  var key = "rk-scroll:" + location.pathname;
  var y = sessionStorage.getItem(key);
  if (y !== null) {{ window.scrollTo(0, +y); sessionStorage.removeItem(key); }}
  function poll(){{
    fetch("/__version", {{cache: "no-store"}}).then(function(r){{ return r.json(); }}).then(function(s){{
      if (s.version !== v) {{ sessionStorage.setItem(key, String(window.scrollY)); location.reload(); }}
      else setTimeout(poll, {POLL_MS});
    }}).catch(function(){{ setTimeout(poll, 1000); }});
  }}
  setTimeout(poll, {POLL_MS});
}})();
</script>
</div>
"""

    def handler(self):
        preview = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # the terminal shows builds, not requests
                pass

            def send(self, code, body: bytes, ctype: str):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                path = urlparse(self.path).path
                rid = preview.report_id
                if path == "/__version":
                    with preview.lock:
                        body = json.dumps(preview.status(), ensure_ascii=False).encode()
                    return self.send(200, body, "application/json; charset=utf-8")
                if path in ("/", "/index.html"):
                    page = preview.page(None)
                elif path.startswith(f"/{rid}.") and path.endswith(".preview.pdf"):
                    lang = path[len(rid) + 2: -len(".preview.pdf")]
                    with preview.lock:
                        entry = preview.state.pdf.get(lang)
                    file = Path(entry["path"]) if entry and entry.get("path") else None
                    if file is None or not file.is_file():
                        return self.send(404, b"the PDF is not built yet", "text/plain; charset=utf-8")
                    return self.send(200, file.read_bytes(), "application/pdf")
                elif path.startswith(f"/{rid}.") and path.endswith(".html"):
                    page = preview.page(path[len(rid) + 2: -len(".html")])
                else:
                    page = None
                if page is None:
                    return self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain; charset=utf-8")
                self.send(200, page, "text/html; charset=utf-8")

        return Handler

    def serve(self, port: int = 0, ready=None) -> None:
        """Build once, then serve and watch until interrupted (KeyboardInterrupt) or `stop` is set."""
        self.build_html()
        server = ThreadingHTTPServer(("127.0.0.1", port), self.handler())
        server.daemon_threads = True
        threads = [threading.Thread(target=self.watch_loop, daemon=True, name="rk-watch"),
                   threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="rk-http")]
        if self.want_pdf:
            threads.append(threading.Thread(target=self.pdf_loop, daemon=True, name="rk-pdf"))
        for t in threads:
            t.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        self.log(f"preview: serving {url} (languages: {', '.join(sorted(self.state.pages)) or 'none yet'}); "
                 "watching content, catalogs, figures and styles; Ctrl-C to stop")
        if ready:
            ready(url)
        try:
            while not self.stop.wait(0.2):
                pass
        finally:
            self.stop.set()
            with self.pdf_wake:
                self.pdf_wake.notify_all()
            server.shutdown()
            server.server_close()
