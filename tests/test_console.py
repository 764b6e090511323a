"""Progress, diagnostics as found (once), the summary table, --quiet/--verbose and the CI formats, through the command."""
import io
import json
import subprocess
import sys

from conftest import ROOT
from reportkit.console import Console, github_line, json_line
from reportkit.errors import Diagnostic, Loc


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True, text=True)


def test_github_and_json_lines_escape_and_locate():
    d = Diagnostic(Loc("content/a,b.yaml", 12, 5), "50% done\nnext: line", "warning")
    assert github_line(d) == "::warning file=content/a%2Cb.yaml,line=12,col=5::50%25 done%0Anext: line"
    assert github_line(Diagnostic(Loc(""), "no file")) == "::error::no file"
    assert json.loads(json_line(d)) == {"file": "content/a,b.yaml", "line": 12, "col": 5, "level": "warning",
                                        "message": "50% done\nnext: line"}


def test_a_terminal_gets_one_live_status_line_and_a_diagnostic_prints_once():
    err, out = io.StringIO(), io.StringIO()
    con = Console(out=out, err=err, live=True)
    con.step("compiling x.pdf")
    d = Diagnostic(Loc("a.yaml", 1, 2), "careful", "warning")
    con.diagnostic(d)
    con.diagnostic(d)
    con.close()
    text = err.getvalue()
    assert text.count("a.yaml:1:2: warning: careful") == 1
    assert "\r\x1b[K" in text and "compiling x.pdf" in text


def test_build_prints_steps_warnings_once_and_a_summary_table(tmp_path):
    r = run("build", "content/example", "--out", str(tmp_path / "b"), "--no-cache")
    assert r.returncode == 0, r.stderr
    warning = "warning: figure \"fig-missing\" has no artwork"
    assert r.stderr.count(warning) == 1 and r.stdout.count(warning) == 0
    steps = [x for x in r.stdout.splitlines() if x.startswith("reportkit: ")]
    assert any("compiled in" in x and "example.en.pdf" in x for x in steps)  # one plain line per step (not a terminal)
    assert any("rendered" in x and "example.en.html" in x for x in steps)
    assert "\x1b[" not in r.stderr + r.stdout
    assert not [x for x in r.stderr.splitlines() if "warning:" not in x]  # stderr: diagnostics only
    table = r.stdout.splitlines()
    head = next(x for x in table if x.startswith("artifact"))
    assert all(w in head for w in ("pages", "size", "render s", "compile s", "cached"))
    row = next(x for x in table if x.startswith("example/example.en.pdf"))
    assert row.split()[-1] == "no" and row.split()[1:3] == ["en", "pdf"]
    n = len(json.loads((tmp_path / "b" / "manifest.json").read_text())["artifacts"])
    assert table[-1].startswith(f"built {n} artifacts in") and "1 warnings" in table[-1]
    run("build", "content/example", "--out", str(tmp_path / "b"))  # fills the cache (--no-cache above records no build)
    r = run("build", "content/example", "--out", str(tmp_path / "b"))  # nothing changed: nothing is rendered
    assert r.stdout.splitlines()[-1].startswith("up to date: ") and r.stderr.count(warning) == 1
    assert next(x for x in r.stdout.splitlines() if x.startswith("example/example.en.pdf")).split()[-1] == "unchanged"
    r = run("build", "content/example", "--out", str(tmp_path / "c"))  # another folder, warm cache: every PDF from it
    row = next(x for x in r.stdout.splitlines() if x.startswith("example/example.en.pdf"))
    assert row.split()[-1] == "yes" and r.stderr.count(warning) == 1


def test_quiet_and_verbose(tmp_path):
    r = run("--quiet", "build", "content/example", "--out", str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr.strip().splitlines() == [x for x in r.stderr.strip().splitlines() if "warning:" in x]
    r = run("build", "content/example", "--out", str(tmp_path / "v"), "--verbose")
    assert r.returncode == 0 and "sha256" in r.stderr and "time load+resolve" in r.stderr


def test_build_and_check_speak_json_and_github(tmp_path):
    r = run("build", "content/example", "--out", str(tmp_path / "b"), "--diagnostics", "json")
    assert r.returncode == 0, r.stderr
    items = [json.loads(x) for x in r.stdout.splitlines()]  # stdout: only JSON lines
    assert any(i["level"] == "warning" and i["file"].endswith("method.yaml") and i["line"] > 0 and "fig-missing" in i["message"]
               for i in items)
    r = run("--diagnostics", "github", "check", "content/example", "--no-glyphs")
    assert r.returncode == 0
    assert any(x.startswith("::warning file=content/example/method.yaml,line=") for x in r.stdout.splitlines())
    r = run("i18n", "check", "content/example", "--lang", "zh-Hant", "--diagnostics", "json")
    assert all(json.loads(x)["level"] in ("error", "warning") for x in r.stdout.splitlines())


def test_errors_in_ci_formats_stay_one_line_and_fail(example_copy, tmp_path):
    (example_copy / "summary.yaml").write_text("id: x\n  bad: indent\n")
    r = run("--diagnostics", "github", "build", str(example_copy), "--out", str(tmp_path / "b"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    errors = [x for x in r.stdout.splitlines() if x.startswith("::error")]
    assert len(errors) == 1 and "summary.yaml,line=2" in errors[0]
    r = run("build", str(example_copy), "--out", str(tmp_path / "b"), "--diagnostics", "json")
    item = json.loads(r.stdout.strip())
    assert r.returncode == 1 and item["level"] == "error" and item["file"].endswith("summary.yaml") and item["line"] == 2
