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


def test_a_release_refuses_placeholder_figures_unless_allowed(tmp_path):
    import json

    r = run("build", "content/example", "--release", "--out", str(tmp_path / "a"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    line = next(x for x in r.stderr.splitlines() if 'figure "fig-missing" has no artwork' in x)
    assert line.startswith("content/example/method.yaml:") and "--allow-placeholders" in line
    assert not (tmp_path / "a").exists()  # nothing written
    r = run("build", "content/example", "--release", "--allow-placeholders", "--out", str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert all(a["placeholders"] == ["fig-missing"] for a in manifest["artifacts"])


def test_engine_warnings_reach_the_user_located_in_the_template_and_strict_fails_on_them(tmp_path):
    import shutil

    from conftest import EXAMPLE
    from reportkit.brand import builtin_styles

    proj = tmp_path / "proj"
    shutil.copytree(EXAMPLE, proj / "content" / "example")
    method = proj / "content" / "example" / "method.yaml"  # no content warnings: only the engine's remain
    method.write_text(method.read_text().replace("placeholder: A map of survey sites, to be supplied by the design team.",
                                                 "image: figures/flow.svg"))
    mine = proj / "styles" / "mine"  # a brand of the project's own: brand.yaml, logo and one template
    mine.mkdir(parents=True)
    shutil.copy(builtin_styles() / "dset" / "brand.yaml", mine)
    shutil.copy(builtin_styles() / "dset" / "logo.svg", mine)
    template = (builtin_styles() / "base" / "report.typ").read_text(encoding="utf-8")
    mistake = '#let rk-back-cover(logo: none) = text(font: "No Such Face", fallback: true)[The end]'
    template = template.rstrip("\n") + "\n" + mistake + "\n"
    (mine / "report.typ").write_text(template, encoding="utf-8")
    line = template.splitlines().index(mistake) + 1
    env_cache = ["--no-cache"]
    for attempt in range(2):  # the second time the PDF may come from the cache: the warning must not vanish
        r = run("build", "--brand", "mine", "--format", "pdf", *([] if attempt else env_cache), cwd=proj)
        assert r.returncode == 0, r.stderr
        warning = next(x for x in r.stderr.splitlines() if "unknown font family: no such face" in x)
        assert warning.startswith(f"{mine / 'report.typ'}:{line}:"), warning
    before = (proj / "build" / "manifest.json").read_bytes()
    r = run("build", "--brand", "mine", "--format", "pdf", "--strict", cwd=proj)
    assert r.returncode == 1 and "unknown font family" in r.stderr and "Traceback" not in r.stderr
    assert (proj / "build" / "manifest.json").read_bytes() == before
