"""Font subsets of the HTML edition (webfonts.py) and the cmap reader of the glyph check (glyphs.py):
the bytes depend only on the font and the characters, never on the cache, the clock or history."""
import io
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest

from reportkit import cache, glyphs, webfonts

BRAND = SimpleNamespace(name="t", fonts={"latin": {"serif": "Noto Serif", "sans": "Noto Sans"},
                                         "cjk": {"serif": "Noto Serif CJK TC", "sans": "Noto Sans CJK TC"}})
SMALL = "Four ounces. 四兩撥千斤"
LARGE = SMALL + "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400)) + "The quick brown fox jumps over the lazy dog; ÆØÅ éèê ß"


def _face(family: str):
    file, index, found = webfonts._match(family + ":style=Regular")
    if found != family:
        pytest.skip(f"{family} not installed")
    return file, index


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("REPORTKIT_NO_CACHE", raising=False)
    yield
    cache.set_enabled(None)


def _font(woff2: bytes):
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(woff2))


def test_subset_identical_across_runs_caches_and_folders(tmp_path, monkeypatch):
    cold = webfonts.font_faces(BRAND, LARGE, tmp_path / "a")
    warm = webfonts.font_faces(BRAND, LARGE, tmp_path / "a")
    other = webfonts.font_faces(BRAND, LARGE, tmp_path / "b")
    monkeypatch.setenv("REPORTKIT_NO_CACHE", "1")
    uncached = webfonts.font_faces(BRAND, LARGE)
    assert cold == warm == other == uncached
    assert cold.count("@font-face") >= 2


def test_subset_identical_in_a_new_process(tmp_path):
    file, index = _face("Noto Serif CJK TC")
    here = webfonts.subset_woff2(file, index, SMALL, cache.Cache(tmp_path / "x", enabled=False))
    code = ("import sys; from reportkit import webfonts, cache; "
            f"sys.stdout.buffer.write(webfonts.subset_woff2({file!r}, {index}, {SMALL!r}, cache.Cache(enabled=False)))")
    there = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, check=True).stdout
    assert here == there


def test_small_after_large_is_as_small_as_fresh(tmp_path):
    shared = tmp_path / "shared"
    large = webfonts.font_faces(BRAND, LARGE, shared)
    small_after = webfonts.font_faces(BRAND, SMALL, shared)
    small_fresh = webfonts.font_faces(BRAND, SMALL, tmp_path / "fresh")
    assert small_after == small_fresh
    assert len(small_after) < len(large)


def test_subset_holds_exactly_the_characters(tmp_path):
    file, index = _face("Noto Serif CJK TC")
    data = webfonts.subset_woff2(file, index, SMALL, cache.Cache(tmp_path, enabled=False))
    font = _font(data)
    assert font.flavor == "woff2"
    cmap = set(font.getBestCmap())
    import uharfbuzz as hb

    has = set(hb.Face(hb.Blob.from_file_path(file), index).unicodes)
    assert cmap == {ord(c) for c in SMALL} & has


def test_subset_timestamps_fixed(tmp_path):
    for family in ("Noto Serif", "Noto Serif CJK TC"):
        file, index = _face(family)
        data = webfonts.subset_woff2(file, index, SMALL, cache.Cache(tmp_path, enabled=False))
        head = _font(data)["head"]
        assert head.created == head.modified == webfonts.FONT_DATE


def test_fix_head_dates_checksums():
    from fontTools.ttLib import TTFont

    file, index = _face("Noto Serif")
    import uharfbuzz as hb

    inp = hb.SubsetInput()
    for c in "abc":
        inp.unicode_set.add(ord(c))
    raw = bytes(hb.subset(hb.Face(hb.Blob.from_file_path(file), index), inp).blob.data)
    fixed = webfonts.fix_head_dates(raw, webfonts.FONT_DATE + 12345)
    font = TTFont(io.BytesIO(fixed), checkChecksums=2)  # raises on a wrong table checksum
    assert font["head"].created == font["head"].modified == webfonts.FONT_DATE + 12345
    assert webfonts._checksum(fixed) == 0xB1B0AFBA  # checkSumAdjustment right


def test_quality_is_part_of_the_key(tmp_path):
    file, index = _face("Noto Serif")
    store = cache.Cache(tmp_path)
    q9 = webfonts.subset_woff2(file, index, SMALL, store, quality=9)
    q4 = webfonts.subset_woff2(file, index, SMALL, store, quality=4)
    assert _font(q9).getBestCmap() == _font(q4).getBestCmap()
    assert webfonts.subset_key(file, index, SMALL, 9) != webfonts.subset_key(file, index, SMALL, 4)


def test_face_without_the_characters_gives_no_rule(tmp_path):
    assert "Noto Serif CJK" not in webfonts.font_faces(BRAND, "plain ASCII", tmp_path)


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed")
def test_chromium_loads_every_face(tmp_path):
    css = webfonts.font_faces(BRAND, LARGE, tmp_path / "c")
    # other family names and no local(): only the inlined data can satisfy them
    css = re.sub(r'font-family: "([^"]+)"', lambda m: f'font-family: "T-{m.group(1)}"', css)
    css = re.sub(r'src: local\("[^"]+"\), ', "src: ", css)
    page = tmp_path / "fonts.html"
    page.write_text(f"""<!doctype html><meta charset=utf-8><style>{css}</style><p>{SMALL}</p><script>
Promise.all([...document.fonts].map(f => f.load().catch(e => e))).then(() =>
  document.body.setAttribute('data-st', [...document.fonts].map(f => f.family + '/' + f.weight + '/' + f.style + '=' + f.status).join(';')));
</script>""", encoding="utf-8")
    out = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    status = re.search(r'data-st="([^"]*)"', out).group(1).split(";")
    assert len(status) == css.count("@font-face") >= 6
    assert all(s.endswith("=loaded") for s in status), status


# --- glyphs: cmaps only, cached per font file --------------------------------------------------------

FAMILIES = ("Noto Serif", "Noto Serif CJK TC")


def test_cmap_cache_round_trip(monkeypatch):
    glyphs._ranges_at.cache_clear()
    fresh = glyphs.covered(FAMILIES)
    assert list((cache.cache_dir() / "cmap").iterdir())
    glyphs._ranges_at.cache_clear()
    from_disk = glyphs.covered(FAMILIES)
    monkeypatch.setenv("REPORTKIT_NO_CACHE", "1")
    glyphs._ranges_at.cache_clear()
    uncached = glyphs.covered(FAMILIES)
    assert fresh == from_disk == uncached
    assert ord("A") in fresh and ord("撥") in fresh and 0x13000 not in fresh
    union = frozenset().union(*(glyphs._cmap(f) for f in __import__("reportkit.fonts", fromlist=["x"]).files_for(FAMILIES)))
    assert all((cp in fresh) == (cp in union) for cp in range(0, 0x30000))  # the ranges are the sets, exactly


def test_cmap_matches_fonttools():
    from fontTools.ttLib import TTFont

    file, index = _face("Noto Serif")
    glyphs._ranges_at.cache_clear()
    assert glyphs._cmap(file) == frozenset(TTFont(file, lazy=True).getBestCmap())


def test_cmap_cache_follows_file_changes(tmp_path):
    glyphs._ranges_at.cache_clear()
    file, _ = _face("Noto Serif")
    font = tmp_path / "f.ttf"
    shutil.copy(file, font)
    first = glyphs._cmap(str(font))
    shutil.copy(_face("Noto Sans")[0], font)  # another font under the same name
    glyphs._ranges_at.cache_clear()
    assert glyphs._cmap(str(font)) == glyphs._cmap(_face("Noto Sans")[0])
    assert first  # (and the first read was not served for the new file)


def test_check_cover_finds_a_character_no_font_has():
    from reportkit.errors import Loc
    from reportkit.inline import parse
    from reportkit.model import Rich

    texts = [Rich("Fine 四兩", parse("Fine 四兩"), Loc("a.yaml", 3, 5)),
             Rich("Hieroglyph \U00013000 here", parse("Hieroglyph \U00013000 here"), Loc("a.yaml", 7, 1))]
    found = glyphs.check_cover(SimpleNamespace(report=texts), "t", glyphs.covered(FAMILIES))
    assert [d.loc for d in found] == [Loc("a.yaml", 7, 1)]
    assert "U+13000" in found[0].message


def test_check_glyphs_on_a_report(example_copy):
    from reportkit.load import load
    from reportkit.resolve import resolve

    target = next(p for p in sorted(example_copy.glob("*.yaml")) if p.name != "report.yaml")
    text = target.read_text(encoding="utf-8")
    m = re.search(r"(?m)^(\s*(?:- )?(?:text|p|para|body):\s*)([A-Z][^\n]*)$", text)
    if not m:
        pytest.skip("no plain text line found to edit in the example")
    target.write_text(text[:m.start(2)] + "\U00013000 " + text[m.start(2):], encoding="utf-8")
    found = glyphs.check_glyphs(resolve(load(example_copy)), "dset")
    assert any("U+13000" in d.message and d.loc.file.endswith(target.name) for d in found)
