"""A living report, built again and again: random edits to text, figures (SVG, PNG, JPEG replaced under
the same name), the brand and its template, and undo. After every step a build that reuses the cache
must give exactly the bytes of a build with an empty cache, each in a fresh process as the command runs.
(The catalog half of the lifecycle is tests/test_catalog_lifecycle.py.)"""
import hashlib
import io
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
    def undo(self):
        if not self.history:
            return
        before = self.history.pop()
        for p in [p for p in self.proj.rglob("*") if p.is_file() and "build" not in p.parts]:
            if p not in before:
                p.unlink()
        for p, data in before.items():
            p.write_bytes(data)

    def build(self, cache, out):
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.tmp), "XDG_CACHE_HOME": str(cache)}
        import os

        env["PATH"] = os.environ["PATH"]
        r = subprocess.run([sys.executable, "-m", "reportkit", "--project", str(self.proj), "build", str(self.folder),
                            "--brand", "mine", "--out", str(out)], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        return _digests(out)

    @invariant()
    def warm_build_equals_a_build_with_an_empty_cache(self):
        self.step += 1
        warm = self.build(self.warm, self.tmp / f"warm-{self.step}")
        cold = self.build(self.tmp / f"empty-{self.step}", self.tmp / f"cold-{self.step}")
        assert warm == cold


LivingReport.TestCase.settings = settings(max_examples=3, stateful_step_count=5, deadline=None,
                                          suppress_health_check=list(HealthCheck))
TestLivingReport = LivingReport.TestCase
