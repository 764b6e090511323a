"""A living report, built again and again: random edits to text, figures (SVG, PNG, JPEG replaced under
the same name), the brand and its template, `i18n update` and translators' edits, and undo. After every step a build that reuses the cache
must give exactly the bytes of a build with an empty cache, each in a fresh process as the command runs.
(The catalog half of the lifecycle is tests/test_catalog_lifecycle.py.)"""
import hashlib
import io
import json
import shutil
import subprocess
import sys

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import EXAMPLE


def _png(color, fmt="PNG") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 24), color).save(buf, fmt)
    return buf.getvalue()


def _digests(out) -> dict:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


class LivingReport(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        import tempfile
        from pathlib import Path

        self.tmp = Path(tempfile.mkdtemp(prefix="rk-life-"))
        self.proj = self.tmp / "proj"
        self.folder = self.proj / "content" / "example"
        shutil.copytree(EXAMPLE, self.folder)
        brand = self.proj / "styles" / "mine"
        brand.mkdir(parents=True)
        from reportkit.brand import builtin_styles

        shutil.copy(builtin_styles() / "dset" / "brand.yaml", brand / "brand.yaml")
        shutil.copy(builtin_styles() / "dset" / "logo.svg", brand / "logo.svg")
        self.warm = self.tmp / "warm-cache"
        self.history: list[dict] = []
        self.step = 0

    def teardown(self):
        subprocess.run([sys.executable, "-m", "reportkit", "clean"], env=self.env(self.warm), capture_output=True)  # stops its servers
        shutil.rmtree(self.tmp, ignore_errors=True)

    def snapshot(self) -> dict:
        return {p: p.read_bytes() for p in self.proj.rglob("*") if p.is_file() and "build" not in p.parts}

    def change(self, path, data: bytes) -> None:
        self.history.append(self.snapshot())
        path.write_bytes(data)

    @rule(words=st.text(alphabet="abc xyz'\"半導體—", min_size=1, max_size=40))
    def edit_paragraph(self, words):
        f = self.folder / "summary.yaml"
        text = f.read_text(encoding="utf-8")
        self.change(f, text.replace("This summary previews", f"{words!r} This summary previews".replace(":", " "), 1).encode())

    @rule(color=st.sampled_from(["#D04A2A", "#1B7F3B", "#0E3A5B"]))
    def replace_svg_under_same_name(self, color):
        f = self.folder / "figures" / "flow.svg"
        text = f.read_text(encoding="utf-8")
        import re

        self.change(f, re.sub(r'fill="#[0-9A-Fa-f]{6}"', f'fill="{color}"', text, count=1).encode())

    @rule(color=st.sampled_from(["red", "blue", "green"]), fmt=st.sampled_from(["PNG", "JPEG"]))
    def raster_figure(self, color, fmt):
        suffix = ".png" if fmt == "PNG" else ".jpg"
        method = self.folder / "method.yaml"
        text = method.read_text(encoding="utf-8")
        self.history.append(self.snapshot())
        (self.folder / "figures" / f"flow{suffix}").write_bytes(_png(color, fmt))
        import re

        method.write_text(re.sub(r"figures/flow\.(svg|png|jpg)", f"figures/flow{suffix}", text), encoding="utf-8")

    @rule(color=st.sampled_from(["#112233", "#445566", "#0E3A5B"]))
    def brand_colour(self, color):
        f = self.proj / "styles" / "mine" / "brand.yaml"
        import re

        self.change(f, re.sub(r"primary: *\"?#[0-9A-Fa-f]{6}\"?", f'primary: "{color}"', f.read_text()).encode())

    @rule(size=st.sampled_from(["28pt", "30pt", "32pt"]))
    def template_edit(self, size):
        from reportkit.brand import builtin_styles

        own = self.proj / "styles" / "mine" / "report.typ"
        base = (builtin_styles() / "base" / "report.typ").read_text(encoding="utf-8")
        self.change(own, (base + f"\n// a designer's edit\n#let rk-designer-size = {size}\n").encode())

    @rule()
    def i18n_update(self):
        """`reportkit i18n update --lang zh-Hant`: catalogs made or merged (the zh-Hant editions build too)."""
        self.history.append(self.snapshot())
        r = subprocess.run([sys.executable, "-m", "reportkit", "--project", str(self.proj), "i18n", "update", str(self.folder),
                            "--lang", "zh-Hant"], capture_output=True, text=True, env=self.env(self.warm))
        assert r.returncode == 0, r.stdout + r.stderr

    @rule(pick=st.integers(0, 50), words=st.sampled_from(["譯文", "「翻譯」", "資料與網路"]))
    def translator_edit(self, pick, words):
        """A translator fills in (and approves) one entry, as Poedit would."""
        import polib

        files = sorted((self.proj / "locales" / "zh-Hant" / "example").glob("*.po"))
        entries = [(f, e.msgid) for f in files for e in polib.pofile(str(f)) if not e.obsolete and "[" not in e.msgid]
        if not entries:
            return
        f, msgid = entries[pick % len(entries)]
        self.history.append(self.snapshot())
        po = polib.pofile(str(f))
        entry = po.find(msgid)
        entry.msgstr = words
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        po.save(str(f))

    @rule()
    def undo(self):
        if not self.history:
            return
        before = self.history.pop()
        for p in [p for p in self.proj.rglob("*") if p.is_file() and "build" not in p.parts]:
            if p not in before:
                p.unlink()
        for p, data in before.items():
            p.write_bytes(data)

    def env(self, cache):
        import os

        env = {"PATH": os.environ["PATH"], "HOME": str(self.tmp), "XDG_CACHE_HOME": str(cache)}
        if cache == self.warm:  # warm builds go through the resident Typst compiler, as a user's do
            (self.tmp / "run").mkdir(mode=0o700, exist_ok=True)
            env.update(XDG_RUNTIME_DIR=str(self.tmp / "run"), REPORTKIT_RESIDENT="1", REPORTKIT_RESIDENT_IDLE="60")
        else:  # the reference: a new process compiles everything itself
            env["REPORTKIT_RESIDENT"] = "0"
        return env

    def build(self, cache, out):
        env = self.env(cache)
        r = subprocess.run([sys.executable, "-m", "reportkit", "--project", str(self.proj), "build", str(self.folder),
                            "--brand", "mine", "--out", str(out)], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        return _digests(out)

    @invariant()
    def catalogs_stay_valid(self):
        for f in (self.proj / "locales").rglob("*.po"):
            r = subprocess.run(["msgfmt", "--check-format", "-c", "-o", "/dev/null", str(f)], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr

    @invariant()
    def warm_build_equals_a_build_with_an_empty_cache(self):
        self.step += 1
        warm = self.build(self.warm, self.tmp / "warm")  # rebuilt in place, as a user does
        cold_out = self.tmp / f"cold-{self.step}"
        cold = self.build(self.tmp / f"empty-{self.step}", cold_out)
        made = {p: h for p, h in cold.items() if p != "manifest.json"}
        assert {p: warm.get(p) for p in made} == made  # every artifact, byte for byte
        entries = lambda out: {a["path"]: a for a in json.loads((out / "manifest.json").read_text())["artifacts"]}  # noqa: E731
        warm_entries = entries(self.tmp / "warm")
        assert {p: warm_entries.get(p) for p in made} == entries(cold_out)  # and what the manifest says of them


LivingReport.TestCase.settings = settings(max_examples=3, stateful_step_count=5, deadline=None,
                                          suppress_health_check=list(HealthCheck))
TestLivingReport = LivingReport.TestCase


def test_a_no_op_build_is_decided_from_inputs_and_never_fooled(example_copy, tmp_path):
    """Nothing changed: nothing is rendered. Anything changed (a figure under the same name, a catalog,
    the brand, an option, an artifact tampered with or deleted): a real build, equal to a clean one."""
    from reportkit.build import BuildOptions, build
    from reportkit.errors import ReportError

    out = tmp_path / "out"
    opts = BuildOptions(out=out)
    first = build(example_copy, opts)
    assert not first.up_to_date
    again = build(example_copy, opts)
    assert again.up_to_date and sorted((a.path, a.sha256) for a in again.artifacts) == sorted((a.path, a.sha256) for a in first.artifacts)
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]  # warnings are not lost
    try:
        build(example_copy, BuildOptions(out=out, strict=True))
        raise AssertionError("--strict passed over a warning")
    except ReportError:
        pass

    def changed_then_clean(what):
        result = build(example_copy, opts)
        assert not result.up_to_date, what
        build(example_copy, BuildOptions(out=tmp_path / f"clean-{len(what)}"))
        assert _digests(out / "example") == _digests(tmp_path / f"clean-{len(what)}" / "example"), what
        assert build(example_copy, opts).up_to_date, what

    svg = example_copy / "figures" / "flow.svg"
    stat = svg.stat()
    import os

    data = svg.read_bytes()
    svg.write_bytes(data.replace(b"<svg", b"<svg data-edit=\"1\"", 1))
    os.utime(svg, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same name, same time: only the bytes tell
    changed_then_clean("figure replaced under the same name")
    (example_copy / "summary.yaml").write_text((example_copy / "summary.yaml").read_text().replace("This summary", "The summary"))
    changed_then_clean("paragraph")
    pdf = out / "example" / "example.en.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    changed_then_clean("artifact tampered with")
    (out / "example" / "example.en.html").unlink()
    changed_then_clean("artifact deleted")
    assert not build(example_copy, BuildOptions(out=out, formats=("html",))).up_to_date  # other options: other build


def test_the_input_digest_survives_an_editors_lock_file_and_sees_a_library_upgrade(example_copy, tmp_path, monkeypatch):
    """A dangling link in the report folder (Emacs' .#chapter.yaml) is not read; a library that shapes the
    output (citeproc-py, Babel...) installed in another version changes the digest."""
    import sys

    from reportkit import uptodate
    from reportkit.build import BuildOptions, build
    from reportkit.project import Project

    (example_copy / ".#summary.yaml").symlink_to("root@host.1234:1700000000")
    out = tmp_path / "out"
    assert not build(example_copy, BuildOptions(out=out)).up_to_date
    assert build(example_copy, BuildOptions(out=out)).up_to_date
    project = Project.of_report(example_copy)
    before = uptodate.digest(example_copy, project, "dset", {})
    site = tmp_path / "site"
    (site / "citeproc_py-99.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    assert uptodate.digest(example_copy, project, "dset", {}) != before


def test_two_clean_builds_at_different_paths_give_identical_bytes(tmp_path):
    """Another machine's path: two copies of the project, built from different working folders with
    empty caches and no environment variables of ours, give the same bytes, manifest included."""
    import os

    results = []
    for name, cwd_inside in (("first-clone", True), ("a/much/longer/second-clone", False)):
        proj = tmp_path / name
        shutil.copytree(EXAMPLE, proj / "content" / "example")
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / f"home-{len(results)}"),
               "XDG_CACHE_HOME": str(tmp_path / f"cache-{len(results)}")}
        cwd = proj / "content" / "example" if cwd_inside else tmp_path
        args = ["build", "--out", str(proj / "build")] if cwd_inside else ["--project", str(proj), "build", "--out", str(proj / "build")]
        r = subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        results.append(_digests(proj / "build"))
    assert results[0] == results[1] and len(results[0]) >= 3  # pdf, html, manifest


def test_undo_to_an_earlier_recorded_build_never_replays_bytes_a_later_build_wrote(example_copy, tmp_path):
    """Build, add a language, build, remove it again (undo): the inputs equal the first build's, but
    the English HTML on disk is the second build's (it links to the other language). It must be built
    again, not replayed."""
    from reportkit.build import BuildOptions, build
    from reportkit.cli import main

    out = tmp_path / "out"
    first = {a.path: a.sha256 for a in build(example_copy, BuildOptions(out=out)).artifacts}
    assert main(["i18n", "update", str(example_copy), "--lang", "zh-Hant"]) == 0
    build(example_copy, BuildOptions(out=out))
    shutil.rmtree(example_copy.parents[1] / "locales")
    again = build(example_copy, BuildOptions(out=out))
    assert not again.up_to_date
    assert {a.path: a.sha256 for a in again.artifacts} == first
