"""Renderers: text reaches Typst only as string literals and HTML only escaped."""
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
