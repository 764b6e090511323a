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
    line = next(x for x in r.stderr.splitlines() if 'figure "fig-missing" has no artwork' in x and ": error: " in x)
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


def test_ci_workflows_are_valid_github_workflows(tmp_path):
    """The repository's workflow and the one docs/ci.md shows: YAML, the steps promised, and (when
    check-jsonschema is installed) GitHub's workflow schema."""
    import re
    import shutil

    import yaml

    ci = ROOT / ".github" / "workflows" / "ci.yml"
    flow = yaml.safe_load(ci.read_text())
    steps = flow["jobs"]["build-and-test"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    uses = [s.get("uses", "") for s in steps]
    assert "bash scripts/setup.sh" in runs and "preflight" in runs and "scripts/test.sh" in runs and "build" in runs
    assert any(u.startswith("actions/checkout") for u in uses) and any(u.startswith("actions/upload-artifact") for u in uses)
    doc = re.search(r"```yaml\n(.*?)```", (ROOT / "docs" / "ci.md").read_text(), re.S).group(1)
    user = yaml.safe_load(doc)
    build = user["jobs"]["build"]
    assert "matrix" in build["strategy"] and any("actions/cache" in s.get("uses", "") and "reportkit" in s["with"]["path"]
                                                 for s in build["steps"])
    assert any("--lang ${{ matrix.lang }}" in s.get("run", "") for s in build["steps"])
    checker = shutil.which("check-jsonschema")
    if checker:
        (tmp_path / "reports.yml").write_text(doc)
        r = subprocess.run([checker, "--builtin-schema", "vendor.github-workflows", str(ci), str(tmp_path / "reports.yml")],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def test_check_replays_unchanged_input_and_never_a_stale_verdict(example_copy, tmp_path):
    """A second check of unchanged input gives the same findings without checking again; any change
    (a catalog entry given simplified characters, a content edit) is checked for real."""
    import os

    import polib

    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))

    def check():
        r = subprocess.run([sys.executable, "-m", "reportkit", "check", str(example_copy)], cwd=tmp_path,
                           capture_output=True, text=True, env=env)
        return r.returncode, [x for x in r.stdout.splitlines() if not x.startswith("reportkit: ")]

    assert subprocess.run([sys.executable, "-m", "reportkit", "i18n", "update", str(example_copy), "--lang", "zh-Hant"],
                          cwd=tmp_path, capture_output=True, env=env).returncode == 0
    first = check()
    assert first[0] == 0 and first == check()  # replayed: the same findings, the same exit code
    po_path = example_copy.parents[1] / "locales" / "zh-Hant" / "example" / "summary.po"
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgid and "[" not in e.msgid and "#" not in e.msgid)
    entry.msgstr = "这是简体字"  # simplified characters: an error in a zh-Hant catalog
    po.save(str(po_path))
    code, lines = check()
    assert code == 1 and any("simplified" in x for x in lines), lines


def test_check_from_outside_the_project_checks_glyphs_against_the_projects_brand(example_copy, tmp_path):
    """`reportkit --project P check … --brand mine` run from another folder: the glyph coverage is that
    of P's own brand (here one whose Chinese fonts are a Latin monospace), not of a brand of that name
    looked for in the current folder."""
    import re
    import shutil

    from reportkit.brand import builtin_styles

    proj = example_copy.parent.parent
    mine = proj / "styles" / "mine"
    mine.mkdir(parents=True)
    text = (builtin_styles() / "dset" / "brand.yaml").read_text()
    mine.joinpath("brand.yaml").write_text(re.sub(r"Noto (Serif|Sans) CJK TC", "DejaVu Sans Mono", text))
    shutil.copy(builtin_styles() / "dset" / "logo.svg", mine / "logo.svg")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run("--project", str(proj), "check", str(example_copy), "--brand", "mine", cwd=elsewhere)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert "has a glyph for U+534A" in r.stdout, r.stdout + r.stderr  # 半, in the example's Chinese text


def test_check_reports_a_missing_glyph_once_for_both_editions_and_the_translations_own_once(example_copy):
    """The glyph check runs per edition (one process each): a source text both editions print is one
    finding, not two; a character only the zh-Hant translation has is a finding of its own."""
    import polib

    summary = example_copy / "summary.yaml"
    summary.write_text(summary.read_text(encoding="utf-8").replace(
        "  - p: >-\n", "  - p: An untranslated private sign \ue000 here.\n  - p: >-\n", 1), encoding="utf-8")
    assert run("i18n", "update", str(example_copy), "--lang", "zh-Hant").returncode == 0
    po_path = example_copy.parents[1] / "locales" / "zh-Hant" / "example" / "summary.po"
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgid and "[" not in e.msgid and "#" not in e.msgid and "\ue000" not in e.msgid)
    entry.msgstr = "一個只有譯文才有的符號\ue001。"
    po.save(str(po_path))
    r = run("check", str(example_copy))
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert r.stdout.count("U+E000") == 1, r.stdout
    assert r.stdout.count("U+E001") == 1, r.stdout
    assert "2 errors" in r.stdout, r.stdout  # counted once as well
