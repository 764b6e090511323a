"""The command as a person meets it: one-line errors with file:line, exit codes, no tracebacks."""
import subprocess
import sys

from conftest import ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True, text=True)


def test_check_example_passes():
    r = run("check", "content/example")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 errors" in r.stdout


def test_strict_makes_warnings_fail():
    r = run("check", "content/example", "--strict")
    assert r.returncode == 1 and "placeholder" in r.stdout


def test_bad_yaml_is_one_line_without_traceback(example_copy):
    (example_copy / "summary.yaml").write_text("id: x\n  bad: indent\n")
    r = run("build", str(example_copy), "--out", str(example_copy.parent / "b"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "summary.yaml:2:" in lines[0] and "Traceback" not in r.stderr
    assert not (example_copy.parent / "b").exists()


def test_missing_report_folder():
    r = run("build", "content/does-not-exist")
    assert r.returncode == 1 and "no report.yaml" in r.stderr and "Traceback" not in r.stderr
