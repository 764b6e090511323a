"""Measure build times of the flagship report (run: python3 bench/build_speed.py).

1. first build ever: a new process, empty build folder, empty cache (XDG_CACHE_HOME pointed at a new
   folder): all four editions (EN/zh-Hant x PDF/HTML), font subsetting included;
2. same, but with a warm cache (nothing changed since the last build): what a rebuild costs;
3. preview: a paragraph edited in a content file, rebuilt in the running `reportkit preview` process;
4. the WeasyPrint engine for one edition, in a new process (its import included).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd, env) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    build = [sys.executable, "-m", "reportkit", "build"]
    cold, warm = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, XDG_CACHE_HOME=f"{tmp}/cache")
            cold.append(timed(build + ["--out", f"{tmp}/a"], env))
            warm.append(timed(build + ["--out", f"{tmp}/b"], env))
    print(f"all four editions, empty cache:  median {statistics.median(cold):.2f} s ({', '.join(f'{x:.2f}' for x in cold)})")
    print(f"all four editions, warm cache:   median {statistics.median(warm):.2f} s ({', '.join(f'{x:.2f}' for x in warm)})")

    edited = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=f"{tmp}/cache")
        proj = Path(tmp) / "proj"
        shutil.copytree(ROOT / "content", proj / "content")
        shutil.copytree(ROOT / "locales", proj / "locales")
        cmd = [sys.executable, "-m", "reportkit", "build", "content/four-ounces", "--out", "b"]
        subprocess.run(cmd, cwd=proj, check=True, capture_output=True, env=env)
        target = proj / "content" / "four-ounces" / "ch4-conclusion.yaml"
        text = target.read_text()
        for i in range(3):  # no new characters: font subsets are reused, both PDFs recompile
            target.write_text(text.replace("China's AI strategy is", f"China's AI strategy (edit {i}) is", 1))
            t = time.perf_counter()
            subprocess.run(cmd, cwd=proj, check=True, capture_output=True, env=env)
            edited.append(time.perf_counter() - t)
    print(f"all four editions, one paragraph edited: median {statistics.median(edited):.2f} s ({', '.join(f'{x:.2f}' for x in edited)})")

    sys.path.insert(0, str(ROOT / "src"))
    from reportkit.preview import Previewer

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "content" / "four-ounces"
        shutil.copytree(ROOT / "content" / "four-ounces", folder)
        p = Previewer(folder, None, "dset", Path(tmp) / "build")
        p.rebuild()
        target = folder / "ch4-conclusion.yaml"
        text = target.read_text()
        times = []
        for i in range(5):
            target.write_text(text.replace("China's AI strategy is", f"China's AI strategy (edit {i}) is", 1))
            times.append(p.rebuild()[1])
        print(f"preview, one paragraph edited:  median {statistics.median(times):.3f} s ({', '.join(f'{x:.3f}' for x in times)})")

    with tempfile.TemporaryDirectory() as tmp:
        t = timed(build + ["--engine", "weasyprint", "--format", "pdf", "--lang", "en", "--out", tmp], dict(os.environ))
        print(f"WeasyPrint PDF, English edition: {t:.2f} s")


if __name__ == "__main__":
    main()
