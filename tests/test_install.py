"""reportkit as a user installs it: a wheel built from this repo, in a fresh virtual environment, run
from a folder outside the repo. Templates and brands must come from the package, and the project is
found from the working directory (or --project), never from reportkit's own location."""
import shutil
import subprocess
import sys
import sysconfig
import zipfile

from conftest import EXAMPLE, ROOT


def test_wheel_in_a_fresh_venv_builds_a_report_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("reportkit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("reportkit/styles/base/report.typ", "reportkit/styles/base/html/blocks.html.j2",
                    "reportkit/styles/dset/brand.yaml", "reportkit/styles/plain/logo.svg"):
        assert shipped in names, shipped
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    # the dependencies come from this interpreter's site-packages; PYTHONPATH does not run its .pth
    # files, so the repo's editable install stays out of sight
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "PYTHONPATH": sysconfig.get_paths()["purelib"],
           "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import reportkit; print(reportkit.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where
    project = tmp_path / "elsewhere"
    shutil.copytree(EXAMPLE, project / "content" / "example")
    sub = project / "content" / "example"
    r = subprocess.run([str(venv / "bin" / "reportkit"), "build"], cwd=sub, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    out = sub / "build" / "example"
    assert (out / "example.en.pdf").read_bytes().startswith(b"%PDF")
    assert "Reading the Example Report" in (out / "example.en.html").read_text(encoding="utf-8")
    # and from anywhere, with --project
    r = subprocess.run([str(venv / "bin" / "reportkit"), "--project", str(project), "build", "--out", str(tmp_path / "o2")],
                       cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "o2" / "example" / "example.en.pdf").is_file()
