"""Side-by-side build speed: reportkit against the peer route (Pandoc Markdown -> Pandoc -> Typst).

    python3 bench/build_speed.py [--runs N] [--no-peer] [--no-hyperfine] [--scale N]

The peer route (../shared/bench/peer/peer.sh, set up once with `peer.sh setup`) converts the
flagship's text with Pandoc and compiles ONE English PDF with typst. Ours builds the flagship's FOUR
editions (English and zh-Hant, PDF and HTML) with `reportkit build content/four-ounces`, in a copy
of the project, in these cases:

  edit      one word of a paragraph changed before each run (a new word each time: both PDFs and
            both HTML files are made again; the font subsets come from the cache)
  no-op     nothing changed since the last build (warm cache)
  cold      first build: empty cache (XDG_CACHE_HOME a new folder), empty output folder
  check     `reportkit check content/four-ounces` (catalogs and glyph coverage), unchanged input
  check-edit  the same after a one-word edit
  scale     N times the flagship (bench/multiply.py), all four editions from an empty cache

Both routes run in the same invocation, interleaved per case, because this machine is shared and
noisy. Times are medians of N runs (hyperfine when installed, else Python's clock around the
subprocess); peak memory is the largest resident set of one process of the command tree or of the
resident Typst compilers serving it (sampled from /proc every 20 ms in one extra run). The ratio is
ours / peer.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEER = ROOT.parent / "shared" / "bench" / "peer" / "peer.sh"
EDIT_FILE = Path("content") / "four-ounces" / "ch4-conclusion.yaml"
EDIT_FROM = "China's AI strategy is"


@dataclass
class Case:
    name: str
    what: str
    cmd: str
    cwd: Path
    env: dict
    prepare: str = ""  # shell command run before every measured run (not timed)
    times: list = field(default_factory=list)
    peak_kb: int = 0  # the largest process of the command's tree
    server_kb: int = 0  # the largest resident Typst compiler that served this cache during the run


def sh(cmd: str, cwd: Path, env: dict, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, check=check, capture_output=True, text=True)


def time_python(case: Case, runs: int) -> None:
    for _ in range(runs):
        if case.prepare:
            sh(case.prepare, case.cwd, case.env)
        t = time.perf_counter()
        sh(case.cmd, case.cwd, case.env)
        case.times.append(time.perf_counter() - t)


def time_hyperfine(case: Case, runs: int, work: Path) -> None:
    out = work / f"hf-{case.name}.json"
    cmd = ["hyperfine", "--runs", str(runs), "--shell", "bash", "--export-json", str(out), "--style", "none"]
    if case.prepare:
        cmd += ["--prepare", case.prepare]
    subprocess.run(cmd + [case.cmd], cwd=case.cwd, env=case.env, check=True, capture_output=True, text=True)
    case.times += json.loads(out.read_text())["results"][0]["times"]


def peak_memory(case: Case, work: Path) -> None:
    """The largest resident set of one process during a run: every process of the command's tree, and
    reportkit's resident Typst compilers serving the case's cache (they do the compiling, outside the
    tree), sampled every 20 ms from /proc."""
    if case.prepare:
        sh(case.prepare, case.cwd, case.env)
    cache = case.env.get("XDG_CACHE_HOME")
    proc = subprocess.Popen(["bash", "-c", case.cmd], cwd=case.cwd, env=case.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = server = 0
    while proc.poll() is None:
        for pid in _tree(proc.pid):
            peak = max(peak, _status(pid, "VmRSS"))
        for pid in _servers(cache) if cache else ():
            server = max(server, _status(pid, "VmRSS"))
        time.sleep(0.02)
    case.peak_kb, case.server_kb = peak, server


def _tree(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(p.name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += children.get(pid, [])
    return found


def _servers(cache: str) -> set[int]:
    """reportkit's resident Typst compilers (resident.py) serving this cache folder."""
    out = set()
    for p in Path("/proc").iterdir():
        try:
            if p.name.isdigit() and b"reportkit.resident" in (p / "cmdline").read_bytes() and \
                    f"XDG_CACHE_HOME={cache}".encode() in (p / "environ").read_bytes().split(b"\0"):
                out.add(int(p.name))
        except OSError:
            continue
    return out


def _status(pid: int, field: str) -> int:
    """A kB figure of /proc/PID/status (VmRSS, VmHWM), 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def project_copy(work: Path) -> Path:
    proj = work / "proj"
    shutil.copytree(ROOT / "content" / "four-ounces", proj / "content" / "four-ounces")
    shutil.copytree(ROOT / "locales", proj / "locales")
    if (ROOT / "styles").is_dir():
        shutil.copytree(ROOT / "styles", proj / "styles", symlinks=True)
    return proj


EDITOR = r'''
import pathlib, sys
path, marker, counter = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
original = pathlib.Path(sys.argv[4]).read_text(encoding="utf-8")
words = ["plainly", "largely", "mostly", "broadly", "clearly", "simply", "partly", "really"]
word = words[n % len(words)] + "".join("abcdefghij"[int(d)] for d in str(n // len(words)))
path.write_text(original.replace(marker, marker.replace(" is", f" {word} is"), 1), encoding="utf-8")
'''


def cases(work: Path, python: str) -> tuple[list[Case], Case | None]:
    proj = project_copy(work)
    base = dict(os.environ)
    warm_env = dict(base, XDG_CACHE_HOME=str(work / "cache-warm"))
    cold_env = dict(base, XDG_CACHE_HOME=str(work / "cache-cold"))
    editor = work / "edit.py"
    editor.write_text(EDITOR)
    pristine = work / "pristine.yaml"
    shutil.copy(proj / EDIT_FILE, pristine)
    rk = f"{shlex.quote(python)} -m reportkit"
    build = f"{rk} build content/four-ounces --format pdf,html"
    edit = (f"{shlex.quote(python)} {editor} {EDIT_FILE} {shlex.quote(EDIT_FROM)} {work / 'edit-count'} {pristine}")
    ours = [
        Case("edit", "4 editions after a one-word edit", f"{build} --out out-edit", proj, warm_env, prepare=edit),
        Case("no-op", "4 editions, nothing changed", f"{build} --out out-noop", proj, warm_env),
        # cold: no cache, no build folder and no resident compiler (clean stops this cache's servers)
        Case("cold", "4 editions, empty cache and build folder", f"{build} --out out-cold", proj, cold_env,
             prepare=f"{rk} clean >/dev/null; rm -rf {work / 'cache-cold'} out-cold"),
        Case("check", "reportkit check, nothing changed", f"{rk} check content/four-ounces", proj, warm_env),
        Case("check-edit", "reportkit check after a one-word edit", f"{rk} check content/four-ounces", proj, warm_env,
             prepare=edit),
    ]
    # warm the warm cache (and the OS's file cache) once, untimed
    sh(f"{build} --out out-noop && {build} --out out-edit", proj, warm_env)
    return ours, _peer(base)


def _peer(base):
    peer = None
    if PEER.is_file():
        peer = Case("peer", "peer: 1 English PDF (Pandoc -> Typst)", f"bash {shlex.quote(str(PEER))}", PEER.parent, base)
    return peer


RAW_TYPST = """import sys, typst
typst.compile(open(sys.argv[1], "rb").read(), output=sys.argv[2], root=sys.argv[3], font_paths=[sys.argv[4]],
              ignore_system_fonts=True, pdf_standards=["ua-1"])
"""
RAW_WEASY = """import sys, weasyprint
weasyprint.HTML(filename=sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3], pdf_variant="pdf/ua-1")
"""


def engine_pairs(work: Path, python: str) -> list[tuple[Case, Case]]:
    """One English PDF after an edit, against the raw engine on exactly what reportkit gave it
    (`--keep-sources`), each in a fresh process: what reportkit adds around Typst and WeasyPrint."""
    proj = work / "proj"
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache-warm"))
    rk = f"{shlex.quote(python)} -m reportkit"
    edit = f"{shlex.quote(python)} {work / 'edit.py'} {EDIT_FILE} {shlex.quote(EDIT_FROM)} {work / 'edit-count'} {work / 'pristine.yaml'}"
    sh(f"{rk} build content/four-ounces --lang en --format pdf --keep-sources --out out-src", proj, env)
    sh(f"{rk} build content/four-ounces --lang en --format pdf --engine weasyprint --keep-sources --out out-src", proj, env)
    fonts = subprocess.run([python, "-c", "from pathlib import Path; from reportkit.project import Project; "
                            "from reportkit.fonts import font_dir; "
                            "b = Project.of_report(Path('content/four-ounces')).brand('dset'); print(font_dir(tuple(b.families())))"],
                           cwd=proj, env=env, capture_output=True, text=True, check=True).stdout.strip()
    (work / "raw_typst.py").write_text(RAW_TYPST)
    (work / "raw_weasy.py").write_text(RAW_WEASY)
    src = proj / "out-src" / "four-ounces"
    return [
        (Case("en-pdf", "1 English PDF after an edit", f"{rk} build content/four-ounces --lang en --format pdf --out out-en",
              proj, env, prepare=edit),
         Case("raw-typst", "typst.compile of its source, fresh process",
              f"{shlex.quote(python)} {work / 'raw_typst.py'} {src / 'four-ounces.en.typ'} {work / 'raw.pdf'} content/four-ounces {fonts}",
              proj, env)),
        (Case("en-weasy", "1 English WeasyPrint PDF after an edit",
              f"{rk} build content/four-ounces --lang en --format pdf --engine weasyprint --out out-w", proj, env, prepare=edit),
         Case("raw-weasy", "WeasyPrint on its paged HTML, fresh process",
              f"{shlex.quote(python)} {work / 'raw_weasy.py'} {src / 'four-ounces.en.paged.html'} content/four-ounces {work / 'raw-w.pdf'}",
              proj, env)),
    ]


def resident_memory(cache: Path) -> list[int]:
    """RSS (kB) of each resident Typst compiler serving `cache` now, between builds: they hold the layout
    memo for the next build."""
    return [_status(pid, "VmRSS") for pid in sorted(_servers(str(cache)))]


def scale_case(work: Path, python: str, n: int) -> Case:
    """N times the flagship (bench/multiply.py: every chapter N times, ids made unique, catalogs too),
    all four editions from an empty cache, as `cold` does for the flagship."""
    dest = work / f"x{n}"
    sh(f"{shlex.quote(python)} {ROOT / 'bench' / 'multiply.py'} {n} {dest}", work, dict(os.environ))
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache-scale"))
    rk = f"{shlex.quote(python)} -m reportkit"
    return Case("scale", f"{n}x the flagship, 4 editions, empty cache", f"{rk} build content/four-ounces-x{n} --out out-x{n}",
                dest, env, prepare=f"{rk} clean >/dev/null; rm -rf {work / 'cache-scale'} out-x{n}")


def fmt_s(xs) -> str:
    return f"{statistics.median(xs):.2f} s" if xs else "-"


def fmt_mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-peer", action="store_true", help="measure reportkit only")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with Python even if hyperfine is installed")
    ap.add_argument("--setup-peer", action="store_true", help="run `peer.sh setup` first if its venv is missing")
    ap.add_argument("--no-engines", action="store_true", help="skip the rows against the raw engines")
    ap.add_argument("--scale", type=int, default=16, help="also build N times the flagship, cold (0: skip)")
    a = ap.parse_args()
    use_hf = shutil.which("hyperfine") and not a.no_hyperfine
    with tempfile.TemporaryDirectory(prefix="rk-bench-") as tmp:
        work = Path(tmp)
        if a.setup_peer and PEER.is_file() and not (PEER.parent / ".venv").is_dir():
            sh(f"bash {shlex.quote(str(PEER))} setup", PEER.parent, dict(os.environ))
        ours, peer = cases(work, sys.executable)
        if a.no_peer or (peer and not (PEER.parent / ".venv").is_dir()):
            if peer and not a.no_peer:
                print(f"peer route not set up: run `bash {PEER} setup` (or pass --setup-peer); measuring reportkit only")
            peer = None
        elif peer:
            sh(peer.cmd, peer.cwd, peer.env)  # warm-up run, untimed
        for case in ours:  # interleave: each of our cases, then the peer again, so noise hits both
            for c in ([case, peer] if peer else [case]):
                if use_hf:
                    time_hyperfine(c, a.runs, work)
                else:
                    time_python(c, a.runs)
        for c in ours + ([peer] if peer else []):
            peak_memory(c, work)
        servers = resident_memory(work / "cache-warm")
        scaled = scale_case(work, sys.executable, a.scale) if a.scale > 1 else None
        if scaled:  # about 40 s a run: two runs, then one more for its memory
            time_python(scaled, min(a.runs, 2))
            peak_memory(scaled, work)
        pairs = [] if a.no_engines else engine_pairs(work, sys.executable)
        for pair in pairs:  # interleaved too: ours, then the raw engine
            for c in pair:
                if use_hf:
                    time_hyperfine(c, a.runs, work)
                else:
                    time_python(c, a.runs)
        for env in ("cache-warm", "cache-cold", "cache-scale"):  # stop the resident compilers this run started
            sh(f"{shlex.quote(sys.executable)} -m reportkit clean", work, dict(os.environ, XDG_CACHE_HOME=str(work / env)), check=False)

    how = "hyperfine" if use_hf else "Python timing"
    print(f"\nmedians of {a.runs} run(s) per case ({how}; peer re-measured beside each case); peak RSS of one process of the "
          "command, and of the resident Typst compiler that compiled for it")
    pm = statistics.median(peer.times) if peer else None
    rows = [("case", "ours", "peak", "resident compiler", "peer (1 EN PDF)", "peer peak", "ours/peer")]
    for c in ours:
        ratio = f"{statistics.median(c.times) / pm:.2f}x" if pm else "-"
        rows.append((f"{c.name}: {c.what}", fmt_s(c.times), fmt_mb(c.peak_kb), fmt_mb(c.server_kb) if c.name in ("edit", "cold") else "-",
                     fmt_s(peer.times) if peer else "-", fmt_mb(peer.peak_kb) if peer else "-", ratio))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print("| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    if scaled:
        cold = next(c for c in ours if c.name == "cold")
        per = statistics.median(scaled.times) / (a.scale * statistics.median(cold.times))
        print(f"\n{scaled.what}: {fmt_s(scaled.times)}, peak {fmt_mb(scaled.peak_kb)} (one process of the command), "
              f"{fmt_mb(scaled.server_kb)} (a resident compiler); "
              f"{per:.2f}x {a.scale} cold builds of the flagship (1.00x = linear)")
    if servers:
        print(f"\nresident Typst compilers between builds (warm cache): {len(servers)} processes, "
              f"RSS {', '.join(fmt_mb(k) for k in servers)}")
    if pairs:
        print("\nwhat reportkit adds around its engines (medians)")
        print("| case | ours | raw engine on reportkit's own source | ratio |")
        print("|---|---|---|---|")
        for ours_c, raw_c in pairs:
            print(f"| {ours_c.what} | {fmt_s(ours_c.times)} | {raw_c.what}: {fmt_s(raw_c.times)} | "
                  f"{statistics.median(ours_c.times) / statistics.median(raw_c.times):.2f}x |")
    print("\nall runs (s): " + "; ".join(f"{c.name} " + ", ".join(f"{t:.2f}" for t in c.times)
                                       for c in ours + ([peer] if peer else [])))


if __name__ == "__main__":
    main()
