"""Renderers: text reaches Typst only as string literals and HTML only escaped."""
import pytest
import typst

from reportkit.brand import load_brand
from reportkit.fonts import typst_fonts
from reportkit.load import load
from reportkit.localize import localize
from reportkit.render_html import render_html
from reportkit.render_typst import Markup, tstr, tvalue
from reportkit.resolve import resolve

NASTY = 'a "quote" \\ back #set page(width: 1cm) ]) [ $x$ <lbl> @ref\nline\ttab'


def test_typst_string_literal_roundtrips_exactly():
    import json

    assert json.loads(typst.eval(b"", tstr(NASTY), format="json")) == NASTY


def test_typst_values():
    assert tvalue({"a": [1, True, None], "b": Markup('#"x"')}) == '("a": (1, true, none, ), "b": [#"x"])'


def test_injected_text_is_only_data_in_both_renderers(example_copy):
    f = example_copy / "summary.yaml"
    f.write_text(f.read_text().replace("This summary previews", '#set page(width: 2cm) #include "/etc/passwd" </p><style>body{display:none}</style> This summary previews'))
    r = example_copy / "report.yaml"
    r.write_text(r.read_text() + "smart_quotes: false\n")  # byte-exact: no typographic quotes either
    ed = localize(resolve(load(example_copy)))
    brand = load_brand("dset")
    from reportkit.render_typst import render_typst
    src = render_typst(ed, brand, "endnotes")
    assert '#"#set page(width: 2cm) #include \\"/etc/passwd\\"' in src
    pdf = typst.Compiler(root=str(example_copy), font_paths=typst_fonts(tuple(brand.families()))).compile(src.encode(), format="pdf")
    assert pdf.startswith(b"%PDF")
    html = render_html(ed, brand, "endnotes")
    assert "&lt;/p&gt;&lt;style&gt;body{display:none}&lt;/style&gt;" in html
    assert "<style>body{display:none}" not in html


def test_typographic_quotes_in_latin_text_only_and_the_opt_out(example_copy):
    from reportkit.presentation import typographic_quotes
    from reportkit.model import Link, Span, Text

    nodes = (Text('He said "no" to China\'s \'six tigers\' in the \'90s. '), Span("zh-Hant", (Text('「他說"不"」'),)),
             Text(' "'), Link("https://x.org/a'b", (Text("https://x.org/a'b"),), auto=True), Text('"'))
    out = typographic_quotes(nodes, "en")
    assert out[0].text == "He said \u201cno\u201d to China\u2019s \u2018six tigers\u2019 in the \u201990s. "
    assert out[1].children[0].text == '「他說"不"」'  # Chinese text is left as written
    assert out[3].url == "https://x.org/a'b" and out[2].text == " \u201c" and out[4].text == "\u201d"
    assert typographic_quotes((Text('"quoted"'),), "zh-Hant")[0].text == '"quoted"'
    f = example_copy / "summary.yaml"
    f.write_text(f.read_text().replace("This summary previews", 'He said "yes" and it\'s fine. This summary previews'))
    brand = load_brand("dset")
    from reportkit.render_typst import render_typst
    ed = localize(resolve(load(example_copy)))
    assert "He said \u201cyes\u201d and it\u2019s fine." in render_typst(ed, brand, "endnotes")
    r = example_copy / "report.yaml"
    r.write_text(r.read_text() + "smart_quotes: false\n")
    ed = localize(resolve(load(example_copy)))
    assert 'He said \\"yes\\" and it\'s fine.' in render_typst(ed, brand, "endnotes")
    assert "He said &#34;yes&#34; and it&#39;s fine." in render_html(ed, brand, "endnotes")


def test_a_word_longer_than_the_measure_breaks_in_pdf_and_html(example_copy, tmp_path):
    import re
    import shutil
    import subprocess

    from reportkit.build import BuildOptions, build

    word = "Supercalifragilistic" * 8  # 160 characters, no hyphenation points
    f = example_copy / "summary.yaml"
    f.write_text(f.read_text().replace("This summary previews", f"{word} This summary previews"))
    build(example_copy, BuildOptions(out=tmp_path / "out"))
    base = tmp_path / "out" / "example" / "example.en"
    lines = subprocess.run(["pdftotext", "-layout", f"{base}.pdf", "-"], capture_output=True, text=True, check=True).stdout.splitlines()
    pieces = [ln.strip() for ln in lines if "Supercalifragilistic" in ln or "ragilistic" in ln]
    assert len(pieces) >= 2 and all(len(p) < len(word) for p in pieces)
    assert word in re.sub(r"\s", "", "".join(pieces))  # nothing invisible added to the copied text
    html = (base.parent / "example.en.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", "<script>var d = document.documentElement; document.body.setAttribute('data-w', "
                                              "d.scrollWidth + ' ' + d.clientWidth)</script></body>"), encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is installed by scripts/setup.sh"
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chrome'}",
                          "--window-size=390,844", "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120).stdout
    scroll, client = map(int, re.search(r'data-w="(\d+) (\d+)"', dom).group(1, 2))
    assert client < 600 and scroll <= client, (scroll, client)  # headless Chromium's narrowest window, no sideways scroll


def test_a_findings_title_with_markup_is_plain_text_in_its_label(example_copy):
    """The findings box's aria-label holds the title's text: a title with emphasis, a Chinese run or
    quote marks neither cuts the attribute short nor puts tags inside it."""
    from html.parser import HTMLParser

    f = example_copy / "summary.yaml"
    title = """'Key *findings* on [臺灣]{lang=zh-Hant} “and” \\<b>'"""  # YAML single quotes: the text as written
    f.write_text(f.read_text().replace("  - findings:\n", f"  - findings:\n      title: {title}\n", 1))
    ed = localize(resolve(load(example_copy)))
    html = render_html(ed, load_brand("dset"), "endnotes")
    labels = []

    class Asides(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "aside" and ("class", "findings") in attrs:
                labels.append(dict(attrs)["aria-label"])

    Asides().feed(html)
    assert labels == ["Key findings on 臺灣 “and” <b>"]


def test_a_series_name_with_a_middle_dot_stays_one_line_on_the_printed_cover(example_copy):
    """The series and the report number are two parts, not a string split again at ' · '."""
    import re

    r = example_copy / "report.yaml"
    r.write_text(r.read_text() + "series: Economy · Society Program\nreport_number: \"7\"\n")
    ed = localize(resolve(load(example_copy)))
    paged = render_html(ed, load_brand("dset"), "endnotes", paged=True)
    assert re.search(r'<p class="series">Economy · Society Program\nReport No. 7</p>', paged), \
        re.findall(r'<p class="series">.*?</p>', paged, re.S)
    screen = render_html(ed, load_brand("dset"), "endnotes")
    assert '<p class="series">Economy · Society Program · Report No. 7</p>' in screen


def test_display_titles_glue_the_same_short_words_in_both_writers(example_copy):
    """One list (presentation.DISPLAY_GLUE): the HTML title keeps "vs." with the next word as the PDF does."""
    from reportkit import presentation
    from reportkit.render_html import display_title
    from reportkit.render_typst import render_typst

    assert display_title("The U.S. vs. China of Tomorrow") == "The\u00a0U.S. vs.\u00a0China of\u00a0Tomorrow"
    src = render_typst(localize(resolve(load(example_copy))), load_brand("dset"), "endnotes")
    assert '"display-glue": ' + tvalue(presentation.DISPLAY_GLUE) in src and "show regex(meta.display-glue" in src



@pytest.mark.parametrize("writer", ["html", "typst"])
def test_a_citation_a_writer_meets_unexpanded_is_an_error_not_text(writer):
    """Citations reach the writers only expanded by presentation.typeset; a writer given one raw refuses it."""
    from reportkit.model import Cite
    from reportkit.render_html import HtmlWriter
    from reportkit.render_typst import TypstWriter
    from reportkit.walk import UnknownNode

    cls = HtmlWriter if writer == "html" else TypstWriter
    with pytest.raises(UnknownNode, match="unexpanded"):
        cls.inline_cite(None, Cite(["a-key"], [""]))


def test_url_pieces_join_to_the_url_and_never_split_the_scheme():
    """presentation.url_pieces, the one rule both writers break URLs by, on many URLs."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from reportkit.presentation import URL_RUN, url_pieces

    import unicodedata

    part = st.text("abcXYZ0189-._~%/?#=&,:\u0301\u200d\ufe0f文", min_size=0, max_size=60)

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(["https://", "http://", "ftp://", ""]), part)
    def check(scheme, rest):
        url = scheme + rest
        pieces = url_pieces(url)
        assert "".join(pieces) == url
        if scheme:
            assert pieces[0].startswith(scheme)  # "://" is never split
        assert all(p for p in pieces)
        for before, p in zip(pieces, pieces[1:]):  # a character and its marks, joiners, selectors stay together
            assert not unicodedata.combining(p[0]) and p[0] not in "\u200d\ufe0f" and not before.endswith("\u200d")
        assert all(len(p) <= URL_RUN + 2 or p.startswith(scheme or "\0") for p in pieces)

    check()
