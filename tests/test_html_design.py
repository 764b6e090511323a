"""The HTML edition's design on the real flagship: the Executive Summary opens the first screen on a
desktop and on a phone, the skip link lands, the same build's PDFs are linked, link previews
(Open Graph) and the suggested citation are there, URLs break only between their parts."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reportkit.build import BuildOptions, build

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "content" / "four-ounces"
PLAYWRIGHT = ROOT / "tools" / "node_modules" / "playwright-core"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LANGS = ("en", "zh-Hant")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The flagship's HTML editions built with its (Typst) PDFs, and once more without PDFs."""
    out = tmp_path_factory.mktemp("site")
    build(FLAGSHIP, BuildOptions(out=out, formats=("html", "pdf")))
    bare = tmp_path_factory.mktemp("bare")
    build(FLAGSHIP, BuildOptions(out=bare, formats=("html",)))
    folder, bare_folder = out / "four-ounces", bare / "four-ounces"
    return {
        "folder": folder,
        "pages": {lang: (folder / f"four-ounces.{lang}.html").read_text(encoding="utf-8") for lang in LANGS},
        "bare": {lang: (bare_folder / f"four-ounces.{lang}.html").read_text(encoding="utf-8") for lang in LANGS},
    }


_MEASURE = r"""
const { chromium } = require(process.argv[2]);
(async () => {
  const browser = await chromium.launch({ executablePath: process.argv[3], args: ['--no-sandbox', '--disable-gpu'] });
  const out = [];
  for (const [w, h] of [[1280, 900], [390, 844]]) {
    const page = await (await browser.newContext({ viewport: { width: w, height: h }, isMobile: w < 500, hasTouch: w < 500 })).newPage();
    await page.goto('file://' + process.argv[4]);
    out.push(await page.evaluate(([w, h]) => {
      const first = document.querySelector('main h2.chapter-title');
      const r = first.getBoundingClientRect();
      return { width: w, height: h, top: r.top, bottom: r.bottom, text: first.textContent.trim(),
               scrollWidth: document.documentElement.scrollWidth };
    }, [w, h]));
    await page.keyboard.press('Tab');
    out[out.length - 1].skip = await page.evaluate(() => document.activeElement.className);
    await page.keyboard.press('Enter');
    out[out.length - 1].hash = await page.evaluate(() => location.hash);
  }
  console.log(JSON.stringify(out));
  await browser.close();
})();
"""


@pytest.mark.skipif(not (PLAYWRIGHT.is_dir() and CHROMIUM and shutil.which("node")),
                    reason="needs tools/node_modules (scripts/setup.sh), node and chromium")
@pytest.mark.parametrize("lang", LANGS)
def test_executive_summary_opens_the_first_screen(site, tmp_path, lang):
    script = tmp_path / "measure.js"
    script.write_text(_MEASURE, encoding="utf-8")
    page = site["folder"] / f"four-ounces.{lang}.html"
    done = subprocess.run(["node", str(script), str(PLAYWRIGHT), CHROMIUM, str(page)], capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    for view in json.loads(done.stdout.strip().splitlines()[-1]):
        assert view["text"] in ("Executive Summary", "執行摘要"), view
        # the whole heading is on the first screen, with room below it for the text it opens
        assert view["bottom"] < view["height"] - 120, view
        assert view["scrollWidth"] <= view["width"], view  # nothing wider than the screen
        assert view["skip"] == "skip" and view["hash"] == "#main", view  # the skip link is first and lands


@pytest.mark.parametrize("lang", LANGS)
def test_front_matter_follows_the_report_on_screen(site, lang):
    page = site["pages"][lang]
    summary = page.index('class="chapter-title"')
    for front in ('id="authors"', 'id="acknowledgments"', 'id="about-dset"', 'id="disclaimer-h"', 'id="citation"'):
        assert page.index(front) > summary, front


@pytest.mark.parametrize("lang", LANGS)
def test_skip_link_target_exists(site, lang):
    page = site["pages"][lang]
    target = re.search(r'<a class="skip" href="#([^"]+)"', page).group(1)
    assert f'id="{target}"' in page
    assert page.index('class="skip"') < page.index("<header")  # the first thing a keyboard reaches


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_links_only_when_the_build_makes_them(site, lang):
    page, bare = site["pages"][lang], site["bare"][lang]
    links = re.findall(r'<a class="pdf" href="([^"]+)"', page)
    assert f"four-ounces.{lang}.pdf" == links[0]  # this edition's PDF first
    assert set(links) == {f"four-ounces.{x}.pdf" for x in LANGS}
    for name in links:
        assert (site["folder"] / name).is_file()  # beside the HTML
    assert 'class="pdf"' not in bare


@pytest.mark.parametrize("lang, locale", [("en", "en_US"), ("zh-Hant", "zh_TW")])
def test_open_graph(site, lang, locale):
    page = site["pages"][lang]
    meta = dict(re.findall(r'<meta property="([^"]+)" content="([^"]*)">', page))
    assert meta["og:type"] == "article"
    assert meta["og:locale"] == locale
    assert meta["article:published_time"] == "2026-04-01"
    assert len(meta["og:title"]) > 10 and len(meta["og:description"]) > 40
    title = html.unescape(re.search(r"<title>(.*?)</title>", page).group(1))
    assert html.unescape(meta["og:title"]) == title


@pytest.mark.parametrize("lang", LANGS)
def test_suggested_citation(site, lang):
    page = site["pages"][lang]
    block = re.search(r'<section class="citation" id="citation".*?</section>', page, re.S).group(0)
    text = html.unescape(re.sub(r"<[^>]+>", "", block))
    for piece in ("Nathanael Cheng", "Jeremy Chih-Cheng Chang", "2026"):
        assert piece in text
    assert "<cite>" in block
    assert ("Four Ounces Deflecting A Thousand Pounds" if lang == "en" else "《") in text
    assert 'href="#citation"' in page  # reachable from the cover


_WBR_BEFORE = set("/.,-_?#%~=&")


def test_urls_break_only_between_their_parts(site):
    from reportkit.presentation import URL_RUN

    checked = 0
    for page in site["pages"].values():
        for href, inner in re.findall(r'<a href="([^"]+)" class="url">(.*?)</a>', page):
            pieces = inner.split("<wbr>")
            assert html.unescape("".join(pieces)) == html.unescape(href)
            assert pieces[0].endswith("://") or "://" not in html.unescape(href)  # never inside the scheme
            for before, after in zip(pieces, pieces[1:]):
                before, after = html.unescape(before), html.unescape(after)
                # or inside a run longer than URL_RUN characters, every URL_RUN (presentation.url_pieces)
                assert before.endswith(("//", "=", "&")) or after[:1] in _WBR_BEFORE or len(before) == URL_RUN, \
                    (href, before, after)
            checked += 1
    assert checked > 50
    css = site["pages"]["en"]
    rule = re.search(r"a\.url \{([^}]*)\}", css).group(1)
    assert "break-all" not in rule and "word-break: normal" in rule


def test_chinese_table_terms_do_not_break(site):
    page = site["pages"]["zh-Hant"]
    assert re.search(r"body\.cjk tbody th\[scope=\"row\"\] \{[^}]*word-break: keep-all", page)  # in @media screen
    assert re.search(r"body\.cjk table \{[^}]*line-break: strict", page)
