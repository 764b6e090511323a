"""`reportkit new` and `reportkit new-brand` in a fresh project outside the repository: what they make builds at once."""
import base64
import json
import re
import subprocess
import sys


def rk(*args, cwd):
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True, text=True)


def logos(html: str) -> list[str]:
    return [base64.b64decode(m).decode("utf-8") for m in re.findall(r'class="logo"><img src="data:image/svg\+xml;base64,([^"]+)"', html)]


def test_new_report_builds_at_once_with_plain_not_dset(tmp_path):
    r = rk("new", "annual-review", "--lang", "zh-Hant", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "content" / "annual-review"
    assert (folder / "report.yaml").is_file() and (folder / "figures" / "placeholder.svg").is_file()
    assert 'built-in "plain" brand' in r.stdout  # said, not silent
    assert 'default-brand = "plain"' in (tmp_path / "pyproject.toml").read_text()
    assert sorted(p.name for p in (tmp_path / "locales" / "zh-Hant" / "annual-review").glob("*.po"))
    text = (folder / "chapter.yaml").read_text() + (folder / "report.yaml").read_text()
    assert "placeholder text" in text.lower()
    from reportkit.load import BLOCK_KINDS

    for kind in BLOCK_KINDS:  # every block kind this reportkit knows is used
        assert re.search(rf"(?m)^\s*- {kind}:", text), kind
    r = rk("build", "content/annual-review", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "build" / "annual-review"
    for name in ("annual-review.en.pdf", "annual-review.zh-Hant.pdf", "annual-review.en.html", "annual-review.zh-Hant.html"):
        assert (out / name).stat().st_size > 10_000, name
    assert (out / "annual-review.en.pdf").read_bytes().startswith(b"%PDF-")
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    assert {a["brand"] for a in manifest["artifacts"]} == {"Plain"}
    html = (out / "annual-review.en.html").read_text()
    assert logos(html) and not any("DSET" in svg for svg in logos(html))
    # the summary table names every artifact with its pages
    assert "annual-review/annual-review.en.pdf" in r.stdout and "pages" in r.stdout


def test_new_brand_inherits_base_and_a_new_report_uses_it(tmp_path):
    r = rk("new-brand", "acme", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    brand = tmp_path / "styles" / "acme"
    assert sorted(p.name for p in brand.iterdir()) == ["brand.yaml", "logo.svg"]  # no template copied
    assert "Acme" in (brand / "logo.svg").read_text()
    r = rk("new", "brief", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert 'own brand "acme"' in r.stdout
    r = rk("build", "content/brief", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    assert {a["brand"] for a in manifest["artifacts"]} == {"Acme"}
    assert (tmp_path / "build" / "brief" / "brief.en.pdf").read_bytes().startswith(b"%PDF-")
    svgs = logos((tmp_path / "build" / "brief" / "brief.en.html").read_text())
    assert svgs and all("Acme" in s and "DSET" not in s for s in svgs)


def test_new_refuses_bad_names_and_existing_reports_in_one_line(tmp_path):
    r = rk("new", "Bad Name", cwd=tmp_path)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert rk("new", "x1", cwd=tmp_path).returncode == 0
    r = rk("new", "x1", cwd=tmp_path)
    assert r.returncode == 1 and "already exists" in r.stderr and "Traceback" not in r.stderr
    r = rk("new-brand", "plain", cwd=tmp_path)
    assert r.returncode == 1 and "ships" in r.stderr


def test_a_language_without_interface_words_warns_and_fails_release(tmp_path):
    r = rk("new", "memo", "--lang", "fr", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = rk("build", "content/memo", "--lang", "fr", "--format", "html", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stderr.splitlines() if "no interface words for fr" in x)
    assert "warning" in line and "fr/LC_MESSAGES/reportkit.po" in line and "template" in line
    assert r.stderr.count("no interface words for fr") == 1  # printed once, as found
    assert "Contents" in (tmp_path / "build" / "memo" / "memo.fr.html").read_text()
    r = rk("build", "content/memo", "--lang", "fr", "--format", "html", cwd=tmp_path)  # up to date: said again
    assert r.returncode == 0 and "up to date" in r.stdout + r.stderr and r.stderr.count("no interface words for fr") == 1, r.stderr
    r = rk("build", "content/memo", "--lang", "fr", "--format", "html", "--release", "--out", "b2", cwd=tmp_path)
    assert r.returncode == 1 and "no interface words for fr" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "b2").exists()
    r = rk("check", "content/memo", "--no-glyphs", cwd=tmp_path)
    assert "no interface words for fr" in r.stdout
