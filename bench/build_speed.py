"""Measure build times of the flagship report (run: python3 bench/build_speed.py).

Prints: a cold build of all four editions (EN/zh-Hant x PDF/HTML) in a fresh process, including
imports and font loading; a warm rebuild with nothing changed (cache); the in-process recompile of one
edited paragraph (the preview case); and the WeasyPrint engine for one edition.
"""
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cold(out: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportkit", "build", "--out", out], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as out:
            runs.append(cold(out))
    print(f"cold build, 4 editions, new process, empty build dir: median {statistics.median(runs):.2f} s  (runs: {', '.join(f'{r:.2f}' for r in runs)})")
    with tempfile.TemporaryDirectory() as out:
        cold(out)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportkit", "build", "--out", out], cwd=ROOT, check=True, capture_output=True)
        print(f"rebuild, nothing changed (cached PDFs): {time.perf_counter() - t:.2f} s")

    sys.path.insert(0, str(ROOT / "src"))
    from reportkit.brand import load_brand
    from reportkit.engine import typst_pdf
    from reportkit.load import load
    from reportkit.localize import localize
    from reportkit.render_typst import render_typst
    from reportkit.resolve import resolve

    report = load(ROOT / "content" / "four-ounces")
    ed = localize(resolve(report))
    brand = load_brand("dset")
    fams = tuple(brand.families())
    src = render_typst(ed, brand, "endnotes")
    typst_pdf(src, report.folder, fams, 0)
    times = []
    for i in range(5):
        edited = src.replace("#par[", f'#par[#"(edit {i}) "', 1)
        t = time.perf_counter()
        typst_pdf(edited, report.folder, fams, 0)
        times.append(time.perf_counter() - t)
    print(f"preview: recompile after editing one paragraph, same process: median {statistics.median(times):.3f} s")

    from reportkit.engine import weasyprint_pdf
    from reportkit.render_html import render_html
    t = time.perf_counter()
    weasyprint_pdf(render_html(ed, brand, "endnotes", paged=True), report.folder, 0)
    print(f"WeasyPrint PDF, English edition (import included): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
