"""Design rules of the Typst PDF editions, asserted on the real flagship (built once per module):
print imposition (even page count, back cover on a left-hand page), no invisible characters in
copied text or bookmarks, PDF page labels, keeps (quotes with their attributions, tables never
leaving a single body row on a page), Chinese punctuation in labels, the cover title and the
suggested citation on the inside cover."""
import re
import subprocess

import pikepdf
import pytest

from conftest import FLAGSHIP

LANGS = ("en", "zh-Hant")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from reportkit.build import BuildOptions, build

    out = tmp_path_factory.mktemp("design")
    build(FLAGSHIP, BuildOptions(out=out, formats=("pdf",), langs=list(LANGS)))
    return {lang: out / "four-ounces" / f"four-ounces.{lang}.pdf" for lang in LANGS}


@pytest.fixture(scope="module")
def plain_en(tmp_path_factory):
    from reportkit.build import BuildOptions, build

    out = tmp_path_factory.mktemp("design-plain")
    build(FLAGSHIP, BuildOptions(out=out, formats=("pdf",), langs=["en"], brand="plain"))
    return out / "four-ounces" / "four-ounces.en.pdf"


@pytest.fixture(scope="module")
def editions():
    """The typeset editions (what the writers print: smart quotes, language tags) by language."""
    from reportkit import presentation
    from reportkit.build import BuildOptions, make_editions
    from reportkit.load import load
    from reportkit.resolve import resolve

    return {e.locale.bcp47: presentation.typeset(e) for e in make_editions(resolve(load(FLAGSHIP)), list(LANGS), BuildOptions())}


def pages_text(path, layout=False) -> list[str]:
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def squash(s: str) -> str:
    """Text for matching across line breaks: no whitespace, no hyphens (soft or at a line end), no
    digits (note markers print as superscript digits in the middle of a line)."""
    return re.sub(r"[\s\-\u00ad\u2010\d]", "", s)


def pages_of(snippet: str, pages: list[str]) -> list[int]:
    key = squash(snippet)
    return [i for i, p in enumerate(pages) if key in squash(p)]


def blocks_of(kind, edition):
    from reportkit.walk import blocks

    return [b for b in blocks(edition.report) if b.KIND == kind]


# ---- print imposition ----

@pytest.mark.parametrize("lang", LANGS)
def test_even_page_count_with_the_back_cover_on_a_left_hand_page(built, lang):
    with pikepdf.open(built[lang]) as pdf:
        assert len(pdf.pages) % 2 == 0, f"{lang}: {len(pdf.pages)} pages; print needs an even count"
    last = pages_text(built[lang])[-1]
    assert "Research Institute" in last or "研究中心" in last, "the last (even) page is the back cover"


# ---- no invisible characters ----

@pytest.mark.parametrize("lang", LANGS)
def test_no_word_joiner_in_copied_text_or_bookmarks(built, lang):
    text = "".join(pages_text(built[lang]))
    assert "\u2060" not in text, f"{text.count(chr(0x2060))} word joiners (U+2060) in the text of the {lang} edition"
    titles = []
    with pikepdf.open(built[lang]) as pdf, pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            titles.append(item.title)
            stack.extend(item.children)
    assert titles, "the PDF has bookmarks"
    assert not [t for t in titles if "\u2060" in t or "\u200b" in t]


# ---- page labels ----

@pytest.mark.parametrize("lang", LANGS)
def test_page_labels_roman_front_matter_then_arabic(built, lang):
    with pikepdf.open(built[lang]) as pdf:
        nums = list(pdf.Root.PageLabels.Nums)
        styles = [(int(nums[i]), str(nums[i + 1].get("/S", ""))) for i in range(0, len(nums), 2)]
        assert styles[0] == (0, "/r"), "the front matter (from the cover) is numbered i, ii, ..."
        first_arabic = next(i for i, s in styles if s == "/D")
        assert all(s == "/r" for i, s in styles if i < first_arabic)
        # the arabic numbers start at 1 on the first chapter's opening page
        d = nums[[int(x) for x in nums[::2]].index(first_arabic) * 2 + 1]
        assert int(d.get("/St", 1)) == 1
    first_chapter = editions_first_title(lang)
    page = pages_text(built[lang])[first_arabic]
    assert squash(first_chapter) in squash(page)


def editions_first_title(lang):
    return {"en": "Executive Summary", "zh-Hant": "執行摘要"}[lang]


# ---- keeps ----

@pytest.mark.parametrize("lang", LANGS)
def test_every_attribution_is_on_the_page_of_its_quotes_last_line(built, editions, lang):
    pages = pages_text(built[lang])
    checked = 0
    for q in blocks_of("quote", editions[lang]):
        if q.attribution is None or q.kind == "pullquote":
            continue
        last_para = [b for b in q.blocks if b.KIND == "para"][-1]
        tail = squash(last_para.text.plain())[-12:]
        attribution = squash(q.attribution.plain())[:14]
        quote_pages = [i for i, p in enumerate(pages) if tail in squash(p)]
        attr_pages = [i for i, p in enumerate(pages) if attribution in squash(p)]
        assert quote_pages and attr_pages, f"{lang}: quote ending {tail!r} / attribution {attribution!r} not found"
        assert set(quote_pages) & set(attr_pages), \
            f"{lang}: attribution {attribution!r} (page {attr_pages}) parted from its quote (page {quote_pages})"
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_holds_a_single_table_body_row(built, editions, lang):
    from reportkit.model import GroupRow

    pages = pages_text(built[lang])
    squashed = [squash(p) for p in pages]
    spanning = 0
    for t in blocks_of("table", editions[lang]):
        caption = squash(t.caption.plain())[:16]
        start = next(i for i, p in enumerate(squashed) if caption in p)
        per_page: dict[int, int] = {}
        for row in t.rows:
            if isinstance(row, GroupRow):
                continue
            cells = ["".join(b.text.plain() for b in c.blocks if hasattr(b, "text")) for c in row.cells]
            key = max((squash(c) for c in cells), key=len)[:18]
            if len(key) < 4:
                continue
            where = next((i for i in range(start, min(start + 4, len(pages))) if key in squashed[i]), None)
            assert where is not None, f"{lang}: row {key!r} of table {t.id} not found"
            per_page[where] = per_page.get(where, 0) + 1
        if len(per_page) > 1:
            spanning += 1
            assert min(per_page.values()) >= 2, f"{lang}: table {t.id} rows per page {per_page}"
    if lang == "en":
        assert spanning >= 1, "at least one flagship table runs over a page (and is checked)"


def test_a_continued_table_is_marked(built, editions):
    en = "".join(pages_text(built["en"]))
    assert re.search(r"Table \d+ \(continued\)", en)
    # the Chinese edition's tables fit their pages; its word for the mark is the catalog's
    assert editions["zh-Hant"]._("continued") == "續"


@pytest.mark.parametrize("lang", LANGS)
def test_urls_never_break_inside_their_scheme(built, lang):
    """A URL in a note breaks after its punctuation, never between the slashes of "https://" (the
    flagship's notes had nine lines ending "https:/"); its copied text stays whole."""
    lines = [line.rstrip() for page in pages_text(built[lang], layout=True) for line in page.splitlines()]
    urls = [line for line in lines if "https://" in line or "http://" in line]
    assert len(urls) > 50
    assert not [line for line in lines if re.search(r"https?:/?$", line)]
    if lang == "en":  # note 1's URL, over two lines, copies whole
        joined = "".join(line.strip() for line in lines)
        assert "https://www.reuters.com/world/asia-pacific/china-vows-accelerate-technological-self-reliance-ai-push-2026-03-05/" in joined


# ---- Chinese punctuation ----

def test_full_width_colons_in_chinese_labels(built):
    zh = "".join(pages_text(built["zh-Hant"]))
    assert "資料來源：" in zh
    assert "資料來源:" not in zh and "資料來源 :" not in zh


# ---- covers ----

@pytest.mark.parametrize("which", ["dset-en", "plain-en"])
def test_cover_title_is_not_hyphenated_nor_split_inside_a_thousand(built, plain_en, which):
    path = built["en"] if which == "dset-en" else plain_en
    cover = pages_text(path, layout=False)[0]
    lines = [" ".join(line.split()) for line in cover.splitlines() if line.strip()]
    assert "A Thousand Pounds" in lines, lines
    assert not [line for line in lines if line.endswith("Deflecting A")]
    assert not [line for line in lines if re.search(r"Thou-?$|-$", line) and "Thousand" not in line], lines


@pytest.mark.parametrize("lang", LANGS)
def test_suggested_citation_on_the_inside_cover(built, editions, lang):
    from reportkit.suggested_citation import suggested_citation

    inside = pages_text(built[lang])[1]
    label = {"en": "Suggested citation", "zh-Hant": "建議引用格式"}[lang]
    assert label in inside
    citation = "".join(text for _, text in suggested_citation(editions[lang]))  # what a reader copies
    assert squash(citation) in squash(inside), citation
    assert "2026" in citation and "Four Ounces" in citation if lang == "en" else "《四兩撥千斤" in citation
    # no running head on the inside cover: its text starts with the imprint, not a page title
    assert not inside.strip().startswith(("Four Ounces", "四兩撥千斤"))


def test_no_straight_quotes_in_english_body_text_outside_urls(built, editions):
    """The source has ~274 straight apostrophes; the English edition prints none in its Latin-script
    text (Chinese text inside it, and URLs, keep their own marks, as written)."""
    from reportkit import model, walk

    def latin_texts(nodes, lang):
        for n in nodes:
            if isinstance(n, model.Span):
                yield from latin_texts(n.children, n.lang)
            elif isinstance(n, model.Link) and n.auto:
                continue
            elif isinstance(n, model.Text):
                if not lang.startswith("zh"):
                    yield n.text
            elif getattr(n, "children", None):
                yield from latin_texts(n.children, lang)

    straight = [t for r, _ in walk.iter_rich(editions["en"].report) for t in latin_texts(r.nodes, "en") if "'" in t or '"' in t]
    assert straight == [], straight[:5]
    text = "\n".join(pages_text(built["en"]))
    assert text.count("\u2019") > 200 and text.count("\u201c") > 50  # printed typographic


@pytest.mark.parametrize("lang", LANGS)
def test_note_markers_never_merge(editions, lang):
    """Consecutive markers print "3,4" (never "34"); a marker before a digit keeps a thin space
    ("²\u20092 月", never "22 月"). Checked on what the PDF writer is given for the real edition."""
    from reportkit.brand import load_brand
    from reportkit.render_typst import render_typst

    source = render_typst(editions[lang], load_brand("dset"), "endnotes")
    marker = r'#rk-noteref\("\d+", <note-\d+>\)(?:<noteref-\d+>)?'
    assert not re.search(marker + r"#rk-noteref", source)
    assert not re.search(marker + r'#"\d', source)
    assert re.search(marker + r'#rk-notesep\(","\)' + marker, source)  # the flagship has such pairs


# ---- contents ----

@pytest.mark.parametrize("lang", LANGS)
def test_contents_numbers_stay_on_their_entry_and_match_the_pages(built, lang):
    from contents import check_contents

    checked = check_contents(built[lang], {"en": "Contents", "zh-Hant": "目錄"}[lang])
    assert checked >= 25, f"only {checked} contents entries matched a bookmark"


# ---- the main matter opens on a right-hand page ----

def _opening(path):
    """(0-based index of arabic page 1, indexes of the pages without any text before it)."""
    from contents import page_label

    pages = pages_text(path)
    with pikepdf.open(path) as pdf:
        first = next(i for i in range(len(pdf.pages)) if page_label(pdf, i) == "1")
        furnished = [i for i in range(first) if _furniture_only(pdf, pages, i)]
    assert not furnished, f"blank pages that print a running head or a number: {furnished}"
    return first, [i for i in range(first) if not pages[i].strip()]


def _furniture_only(pdf, pages, i) -> bool:
    """Page i prints something, and all of it is page furniture: its number, the report title or a
    heading's title (a running head); a blank page with a running head or number."""
    from contents import bookmarks, page_label

    heads = [str(pdf.open_metadata().get("dc:title", ""))] + [t for t, _ in bookmarks(pdf)]
    lines = [ln.strip() for ln in pages[i].splitlines() if ln.strip()]
    return bool(lines) and all(ln == page_label(pdf, i) or any(ln in h for h in heads) for ln in lines)


@pytest.mark.parametrize("which", ["en", "zh-Hant", "example"])
def test_main_matter_opens_on_a_right_hand_page_after_at_most_one_bare_blank_page(built, built_example, which):
    """The flagship's front matter has an odd number of pages (a blank page is needed), the example's an
    even number (none is): page 1 is a recto either way, and the blank page prints no head and no number."""
    path = built[which] if which in built else built_example[0] / "example" / "example.en.pdf"
    first, blank = _opening(path)
    assert first % 2 == 0, f"arabic page 1 is physical page {first + 1}, a left-hand page"
    content = first - len(blank)
    assert blank == ([first - 1] if content % 2 else []), \
        f"{content} front-matter pages, blank pages (no text at all) {blank} before page 1 at {first}"


@pytest.mark.parametrize("which", ["en", "zh-Hant", "example"])
def test_back_cover_on_a_left_hand_page_after_at_most_one_bare_blank_page(built, built_example, which):
    """The example's text ends on an odd page (a blank page is needed before the back cover), the
    flagship's on an even one: the page count is even either way, and a blank page prints nothing."""
    path = built[which] if which in built else built_example[0] / "example" / "example.en.pdf"
    pages = pages_text(path)
    n = len(pages)
    assert n % 2 == 0, f"{n} pages: the back cover is not on a left-hand page"
    with pikepdf.open(path) as pdf:
        assert not _furniture_only(pdf, pages, n - 2), \
            f"the page before the back cover prints only a running head or number: {pages[n - 2]!r}"
    last_text = max(i for i in range(n - 1) if pages[i].strip())
    assert n - 2 - last_text == (1 if last_text % 2 else 0), \
        f"text ends on page {last_text + 1}, back cover on page {n}: {n - 2 - last_text} blank pages between"
