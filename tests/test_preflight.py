"""Preflight judges artifacts with independent tools; each check is shown to fail on a broken artifact."""
import hashlib
import json
import shutil

import pikepdf
import pytest

from conftest import EXAMPLE
from reportkit.build import BuildOptions, build
from reportkit.preflight import Verdict, check_html_static, check_pdf, run_axe, run_preflight, run_vnu


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("pf")
    build(EXAMPLE, BuildOptions(out=out))
    return out


def test_clean_build_passes_with_every_tool(example_build, capsys):
    code = run_preflight(example_build, require_all=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" in out and "FAIL" not in out and "skipped" not in out
    report = json.loads((example_build / "preflight.json").read_text())
    assert report["failed"] == 0 and any(r["kind"] == "html" for r in report["results"])


def pdf_verdict(path, lang="en"):
    v = Verdict(str(path), "pdf")
    check_pdf(path, lang, v)
    return v


def test_unembedded_font_fails(tmp_path):
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 200, 200],
                                           Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))))
    page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET")
    pdf.pages.append(page)
    path = tmp_path / "unembedded.pdf"
    pdf.save(path)
    v = pdf_verdict(path)
    assert any(f.startswith("fonts embedded: not embedded: Helvetica") for f in v.failures), v.failures


def test_dangling_link_fails(example_build, tmp_path):
    path = tmp_path / "dangling.pdf"
    with pikepdf.open(example_build / "example" / "example.en.pdf") as pdf:
        page = pdf.pages[2]
        link = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                                    Rect=[10, 10, 50, 50], Dest=pikepdf.String("no-such-place")))
        page.obj.Annots = pdf.make_indirect(pikepdf.Array(list(page.obj.get("/Annots") or []) + [link]))
        pdf.save(path)
    v = pdf_verdict(path)
    assert "internal links resolve: 1 dangling: no-such-place" in v.failures


def test_missing_glyph_fails(tmp_path):
    import typst

    from reportkit.fonts import typst_fonts

    src = '#set document(title: "t", author: "a")\n#set text(font: "Noto Serif", lang: "en")\nA parrot: \U0001F99C.'
    pdf = typst.Compiler(font_paths=typst_fonts(("Noto Serif",))).compile(src.encode(), format="pdf")
    path = tmp_path / "tofu.pdf"
    path.write_bytes(pdf)
    v = pdf_verdict(path)
    assert any(f.startswith("no .notdef glyphs: empty-box glyphs on pages [1]") for f in v.failures), v.failures


def test_zh_edition_needs_a_tc_face(example_build):
    v = pdf_verdict(example_build / "example" / "example.en.pdf", lang="zh-Hant")
    assert any("language" in f for f in v.failures)  # /Lang en is not zh


BROKEN_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>broken</title></head>
<body><main>
<h1 id="x">Title</h1>
<p id="x">Duplicate id.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbbbbb;background:#ffffff">Low contrast text that nobody can read.</p>
<a href="#nowhere">dangling</a>
</main></body></html>
"""


def test_broken_html_fails_each_check(tmp_path):
    path = tmp_path / "broken.html"
    path.write_text(BROKEN_HTML)
    verdicts = {str(path): Verdict(str(path), "html")}
    v = verdicts[str(path)]
    check_html_static(path, v)
    run_vnu([path], verdicts, True)
    run_axe([path], verdicts)
    text = "\n".join(v.failures)
    assert not v.skipped, v.skipped
    assert "in-page link targets exist: no element with id nowhere" in text
    assert "Nu Html Checker: 0 errors" in text and "Duplicate ID" in text
    assert "image-alt (critical)" in text
    assert "color-contrast (serious)" in text


def test_cli_verdict_line_and_exit_code(tmp_path, capsys):
    art = tmp_path / "r" / "page.html"
    art.parent.mkdir()
    art.write_text(BROKEN_HTML)
    manifest = {"artifacts": [{"report": "r", "language": "en", "format": "html", "engine": "jinja2", "path": "r/page.html",
                               "bytes": art.stat().st_size, "sha256": hashlib.sha256(art.read_bytes()).hexdigest()}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    code = run_preflight(tmp_path, require_all=True, project=tmp_path)
    out = capsys.readouterr().out
    assert code == 1
    line = next(l for l in out.splitlines() if "page.html" in l)
    assert line.startswith("FAIL ") and "Duplicate ID" in line
    assert out.strip().endswith(", 1 failed")


def test_changed_artifact_fails_sha_check(example_build, tmp_path, capsys):
    copy = tmp_path / "b"
    shutil.copytree(example_build, copy)
    html = copy / "example" / "example.en.html"
    html.write_text(html.read_text().replace("Findings", "Findings!"))
    assert run_preflight(copy) == 1
    assert "sha256 matches manifest: file changed since the build" in capsys.readouterr().out


def _manifest(tmp_path, entries):
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": entries}))


def test_unknown_format_fails_instead_of_passing_as_html(tmp_path, capsys):
    art = tmp_path / "r" / "r.en.epub"
    art.parent.mkdir()
    art.write_bytes(b"PK not html at all")
    _manifest(tmp_path, [{"report": "r", "language": "en", "format": "epub", "engine": "x", "path": "r/r.en.epub",
                          "bytes": art.stat().st_size, "sha256": hashlib.sha256(art.read_bytes()).hexdigest()}])
    code = run_preflight(tmp_path, project=tmp_path)
    out = capsys.readouterr().out
    assert code == 1
    line = next(l for l in out.splitlines() if "r.en.epub" in l)
    assert line.startswith("FAIL ") and "known format: format 'epub' is not one preflight can judge (pdf, html)" in line


def test_malformed_manifest_is_one_line(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"artifacts": "nope"}')
    assert run_preflight(tmp_path, project=tmp_path) == 1
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "not a reportkit manifest" in out


def test_project_locates_catalogs_and_tools(tmp_path, monkeypatch, capsys):
    from reportkit import preflight

    # tools: the project's own node_modules first, else the ones beside reportkit's checkout
    assert preflight.tools_dir(tmp_path) == preflight._checkout() / "tools" / "node_modules"
    (tmp_path / "tools" / "node_modules").mkdir(parents=True)
    assert preflight.tools_dir(tmp_path) == tmp_path / "tools" / "node_modules"
    assert preflight.vnu_jar(tmp_path) == tmp_path / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert not hasattr(preflight, "TOOLS") and not hasattr(preflight, "PROJECT")
    # catalogs: the project's locales/, not the current folder's
    po = tmp_path / "proj" / "locales" / "zh-Hant" / "r" / "x.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n')
    _manifest(tmp_path, [])
    monkeypatch.chdir(tmp_path)
    assert run_preflight(tmp_path, project=tmp_path / "proj") == 0
    assert f"PASS {po}" in capsys.readouterr().out


def test_junit_report_has_one_testcase_per_check_per_artifact(example_build, tmp_path, monkeypatch, capsys):
    import xml.etree.ElementTree as ET

    from reportkit import preflight
    from reportkit.cli import main

    copy = tmp_path / "b"
    shutil.copytree(example_build, copy)
    html = copy / "example" / "example.en.html"
    html.write_text(html.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # sha256 no longer matches
    real_tool = preflight.tool
    monkeypatch.setattr(preflight, "tool", lambda name: name != "qpdf" and real_tool(name))  # qpdf "missing"
    monkeypatch.setattr(preflight, "run_axe", lambda paths, verdicts, project=None: None)  # keep the test short
    junit = tmp_path / "junit.xml"
    code = main(["preflight", str(copy), "--junit", str(junit), "--json-out", str(tmp_path / "pf.json")])
    assert code == 1
    report = json.loads((tmp_path / "pf.json").read_text())
    root = ET.parse(junit).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == len(report["results"])
    cases = root.iter("testcase")
    cases = list(cases)
    n_checks = sum(len(r["checks"]) for r in report["results"])
    n_skipped = sum(len(r["skipped"]) for r in report["results"])
    assert len(cases) == n_checks + n_skipped and int(root.get("tests")) == len(cases)
    failures = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert int(root.get("failures")) == len(failures) == sum(len(r["failures"]) for r in report["results"])
    assert int(root.get("skipped")) == len(skipped) == n_skipped > 0
    assert {c.get("name") for c in skipped} == {"qpdf"}
    bad = [c for c in failures if c.get("name") == "sha256 matches manifest"]
    assert len(bad) == 1 and "example.en.html" in bad[0].get("classname")


def test_preflight_diagnostics_formats(example_build, tmp_path, monkeypatch, capsys):
    from reportkit import preflight
    from reportkit.cli import main

    copy = tmp_path / "b"
    shutil.copytree(example_build, copy)
    pdf = copy / "example" / "example.en.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    monkeypatch.setattr(preflight, "run_axe", lambda paths, verdicts, project=None: None)
    monkeypatch.setattr(preflight, "run_vnu", lambda paths, verdicts, require_all, project=None: None)
    assert main(["preflight", str(copy), "--diagnostics", "json"]) == 1
    out = capsys.readouterr()
    items = [json.loads(line) for line in out.out.splitlines()]  # stdout holds only JSON lines
    assert any(i["file"].endswith("example.en.pdf") and i["level"] == "error" and "sha256" in i["message"] for i in items)
    assert "FAIL" in out.err and "preflight:" in out.err
    assert main(["preflight", str(copy), "--diagnostics", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(x.startswith("::error file=") and "example.en.pdf" in x and "sha256" in x for x in lines)
