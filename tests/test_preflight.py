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
