"""Golden snapshots of the generated Typst source and HTML: any restructuring must leave them
unchanged unless it means to change them. Update deliberately with REPORTKIT_UPDATE_GOLDEN=1."""
import difflib
import os
from pathlib import Path

import pytest

from conftest import EXAMPLE, FLAGSHIP, ROOT

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("REPORTKIT_UPDATE_GOLDEN") == "1"


def _edition(folder, lang):
    from reportkit.build import BuildOptions, make_editions
    from reportkit.load import load
    from reportkit.resolve import resolve

    return make_editions(resolve(load(folder)), [lang], BuildOptions())[0]


def _render(folder, lang, fmt, brand_name, notes):
    from reportkit.brand import load_brand

    brand = load_brand(brand_name)
    ed = _edition(folder, lang)
    if fmt == "typ":
        from reportkit.render_typst import render_typst

        return render_typst(ed, brand, notes)
    from reportkit.render_html import render_html

    return render_html(ed, brand, notes, paged=(fmt == "paged.html"))


CASES = [
    ("example", EXAMPLE, "en", "typ", "dset", "endnotes"),
    ("example", EXAMPLE, "en", "html", "dset", "endnotes"),
    ("example", EXAMPLE, "en", "paged.html", "dset", "endnotes"),
    ("example", EXAMPLE, "en", "typ", "plain", "footnotes"),
    ("example", EXAMPLE, "en", "html", "plain", "footnotes"),
    ("four-ounces", FLAGSHIP, "zh-Hant", "typ", "dset", "endnotes"),
    ("four-ounces", FLAGSHIP, "zh-Hant", "html", "dset", "endnotes"),
]


@pytest.mark.parametrize("name,folder,lang,fmt,brand,notes", CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}-{c[4]}-{c[5]}" for c in CASES])
def test_golden(name, folder, lang, fmt, brand, notes, monkeypatch):
    monkeypatch.chdir(ROOT)
    got = _render(folder, lang, fmt, brand, notes)
    path = GOLDEN / f"{name}.{lang}.{brand}.{notes}.{fmt}"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no golden file {path.name}; run with REPORTKIT_UPDATE_GOLDEN=1 to create it")
        path.write_text(got, encoding="utf-8")
        return
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "now", n=1))[:80])
        pytest.fail(f"{path.name} changed; if meant, run with REPORTKIT_UPDATE_GOLDEN=1\n{diff}")
