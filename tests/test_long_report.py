"""A long report (the flagship sixteen times over, about 650 English pages, with sixteen tables that run
over a page): its layout converges, so every page number it prints is the page's own. Built in a
child process, as a user would, since Typst keeps its memory until the process ends."""
import os
import subprocess
import sys
from pathlib import Path

from conftest import FLAGSHIP
from contents import check_contents

ROOT = Path(__file__).resolve().parents[1]


def test_a_sixteen_times_flagship_converges_and_its_contents_are_right(tmp_path):
    assert FLAGSHIP.is_dir()
    subprocess.run([sys.executable, str(ROOT / "bench" / "multiply.py"), "16", str(tmp_path / "p")], check=True,
                   capture_output=True)
    env = dict(os.environ, REPORTKIT_RESIDENT="0")
    r = subprocess.run([sys.executable, "-m", "reportkit", "build", "content/four-ounces-x16", "--lang", "en",
                        "--format", "pdf", "--out", str(tmp_path / "out")],
                       cwd=tmp_path / "p", env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # Typst warns when five layout passes still change the page numbers: then printed numbers may be wrong
    assert "converge" not in (r.stdout + r.stderr).lower(), r.stdout + r.stderr
    pdf = tmp_path / "out" / "four-ounces-x16" / "four-ounces-x16.en.pdf"
    assert check_contents(pdf, "Contents") >= 16 * 20
