"""What a person (or a CI log) sees while a command runs: progress, diagnostics as they are found, summaries.

One `Console` per command, made from the global options:

- `--quiet`: only diagnostics and errors; `--verbose`: every step as a line of its own, and timings.
- on a terminal, long steps show one live status line (the step and its running time) on stderr; elsewhere
  (a CI log, a pipe) each step is one plain line, so logs stay readable.
- `--diagnostics text|github|json`: how diagnostics print. `text` is `file:line:col: level: message`;
  `github` prints GitHub Actions annotations (`::error file=…,line=…,col=…::message`) on stdout; `json`
  prints one JSON object per diagnostic per line on stdout (file, line, col, level, message), and
  everything meant for people goes to stderr, so stdout can be parsed line by line.

`build()` reports through `BuildOptions.progress` (events: start, warning, render, compile, write);
`Console.build_events` consumes them, prints each warning once, as it arrives, and keeps what the
summary table needs.
"""
from __future__ import annotations

import json
import sys
import threading
import time

FORMATS = ("text", "github", "json")


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github_line(d) -> str:
    """A GitHub Actions workflow command for one diagnostic (an annotation on the file and line)."""
    level = "error" if d.level == "error" else "warning"
    props = []
    if d.loc.file:
        props.append(f"file={_escape_property(d.loc.file)}")
        if d.loc.line:
            props.append(f"line={d.loc.line}")
            if d.loc.col:
                props.append(f"col={d.loc.col}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{_escape_data(d.message)}"


def json_line(d) -> str:
    return json.dumps({"file": d.loc.file, "line": d.loc.line, "col": d.loc.col, "level": d.level,
                       "message": d.message}, ensure_ascii=False)


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


class Console:
    def __init__(self, quiet: bool = False, verbose: bool = False, diagnostics: str = "text",
                 out=None, err=None, live: bool | None = None):
        self.quiet, self.verbose = quiet, verbose and not quiet
        self.format = diagnostics if diagnostics in FORMATS else "text"
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        if live is None:
            try:
                live = self.err.isatty()
            except (AttributeError, ValueError):
                live = False
        # a live status line only on a terminal, never in quiet or verbose mode (verbose keeps every line)
        self.live = bool(live) and not self.quiet and not self.verbose
        self._lock = threading.RLock()
        self._status = ""
        self._status_since = 0.0
        self._shown = False
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._seen: set = set()
        self.warnings: list = []
        self.errors: list = []
        # build bookkeeping for the summary table
        self._jobs: dict = {}
        self._start = time.perf_counter()

    # ---------------- where things go ----------------

    @property
    def people(self):
        """Where lines meant for people go: stdout, unless stdout carries JSON diagnostics."""
        return self.err if self.format == "json" else self.out

    def say(self, text: str) -> None:
        """A result line (wrote…, passed…); silent with --quiet."""
        if not self.quiet:
            self._print(text, self.people)

    def detail(self, text: str) -> None:
        """A line shown only with --verbose."""
        if self.verbose:
            self._print(text, self.err)

    def _print(self, text: str, stream) -> None:
        with self._lock:
            self._clear()
            print(text, file=stream, flush=True)
            self._draw()

    # ---------------- diagnostics ----------------

    def diagnostic(self, d, stream=None) -> None:
        """Print one diagnostic now, once (the same diagnostic reported twice prints once)."""
        key = (d.loc.file, d.loc.line, d.loc.col, d.level, d.message)
        if key in self._seen:
            return
        self._seen.add(key)
        (self.errors if d.level == "error" else self.warnings).append(d)
        if self.format == "github":
            self._print(github_line(d), self.out)
            return
        if self.format == "json":
            self._print(json_line(d), self.out)
            return
        self._print(str(d), stream or self.err)

    # ---------------- steps ----------------

    def step(self, text: str) -> None:
        """A slow step begins: the live status line on a terminal, else one plain line (not with --quiet)."""
        self._status_line(text, tick=True)

    def done(self, text: str) -> None:
        """A step ended: a plain line when not live (or verbose); on a terminal the status line moves on."""
        self._status_line(text, tick=False)

    def _status_line(self, text: str, tick: bool) -> None:
        if self.quiet:
            return
        with self._lock:
            if self.live:
                self._clear()
                self._status, self._status_since = text, time.perf_counter()
                if tick:
                    self._ensure_ticker()
                self._draw()
            else:  # a log: one plain line per step, with the results (stderr stays for diagnostics)
                print(f"reportkit: {text}", file=self.people, flush=True)

    def close(self) -> None:
        """Stop the ticker and remove the status line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1)
            self._ticker = None
        with self._lock:
            self._clear()
            self._status = ""

    def _ensure_ticker(self) -> None:
        if self._ticker is None:
            self._stop.clear()
            self._ticker = threading.Thread(target=self._tick, name="reportkit-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.2):
            with self._lock:
                if self._status:
                    self._clear()
                    self._draw()

    def _clear(self) -> None:
        if self._shown:
            try:
                self.err.write("\r\033[K")
                self.err.flush()
            except (OSError, ValueError):
                pass
            self._shown = False

    def _draw(self) -> None:
        if not (self.live and self._status):
            return
        elapsed = time.perf_counter() - self._start
        try:
            self.err.write(f"\r\033[K{self._status} [{elapsed:.1f} s]"[:200])
            self.err.flush()
            self._shown = True
        except (OSError, ValueError):
            pass

    # ---------------- build ----------------

    def build_events(self, event: str, info: dict) -> None:
        """BuildOptions.progress: see build._tell."""
        now = time.perf_counter()
        if event == "warning":
            self.diagnostic(info["diagnostic"])
        elif event == "start":
            names = info.get("jobs") or []
            for name in names:
                self._jobs[name] = {"render": None, "compile": None, "cached": None, "started": now}
            self.step(f"building {info.get('report', '')}: {len(names)} artifacts ({', '.join(names)})")
        elif event == "render":
            job = self._jobs.setdefault(info["name"], {"started": now})
            job["render"] = info.get("seconds", 0.0)
            job["rendered_at"] = now
            what = "rendered and subset fonts for" if info["name"].endswith(".html") else "rendered"
            self.done(f"{what} {info['name']} ({info.get('seconds', 0.0):.2f} s); compiling")
        elif event == "compile":
            job = self._jobs.setdefault(info["name"], {"started": now})
            job["compile"] = now - job.get("rendered_at", job.get("started", now))
            job["cached"] = info.get("cached")
            ready = sum(1 for j in self._jobs.values() if j.get("compile") is not None)
            how = "from the cache" if info.get("cached") else f"compiled in {job['compile']:.2f} s"
            self.done(f"{info['name']}: {how} ({ready}/{len(self._jobs)})")
        elif event == "write":
            arts = info.get("artifacts") or []
            if info.get("up_to_date"):
                self.done(f"nothing changed since the last build: {len(arts)} files up to date")
            else:
                self.done(f"wrote {len(arts)} files")

    def build_summary(self, result, out_dir, seconds: float) -> None:
        """The table at the end of build: artifact, pages, size, render and compile times, cached."""
        self.close()
        if self.quiet:
            return
        rows = []
        for art in result.artifacts:
            name = art.path.split("/")[-1]
            job = self._jobs.get(name, {})
            cached = job.get("cached")
            tr = art.translation
            rows.append((art.path, f"{art.language}", art.format, str(art.pages or ""), human_size(art.bytes),
                         f"{job['render']:.2f}" if job.get("render") is not None else "",
                         f"{job['compile']:.2f}" if job.get("compile") is not None else "",
                         "unchanged" if getattr(result, "up_to_date", False) else "" if cached is None else ("yes" if cached else "no"),
                         f"{tr['translated']}/{tr['units']}" if tr else ""))
        head = ("artifact", "lang", "format", "pages", "size", "render s", "compile s", "cached", "translated")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        right = {3, 4, 5, 6, 8}

        def line(r):
            return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

        stream = self.people
        print(line(head), file=stream)
        print("  ".join("-" * w for w in widths), file=stream)
        for r in rows:
            print(line(r), file=stream)
        n_warn = len(self.warnings)
        verb = "up to date:" if getattr(result, "up_to_date", False) else "built"
        print(f"{verb} {len(result.artifacts)} artifacts in {seconds:.2f} s"
              f"{f', {n_warn} warnings' if n_warn else ''}; manifest: {out_dir / 'manifest.json'}", file=stream, flush=True)
        if self.verbose:
            for art in result.artifacts:
                tr = art.translation
                extra = f"; {tr['translated']}/{tr['units']} translated, {tr['fallback']} fell back to source" if tr else ""
                print(f"  {out_dir / art.path}: {art.bytes:,} bytes, sha256 {art.sha256}{extra}", file=self.err)
            for k, v in result.timings.items():
                print(f"  time {k}: {v:.2f} s", file=self.err)
