"""The user cache (cache.py): entries, switch, pruning, and the PDF key that must change whenever the
compiled PDF would. Also the engine's single date source, which the PDF cache relies on."""
import os
import shutil
import stat
from pathlib import Path

import pytest

from reportkit import cache
from reportkit.cache import Cache

LATIN = ("Noto Serif",)


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("REPORTKIT_NO_CACHE", raising=False)
    monkeypatch.delenv("REPORTKIT_CACHE_MAX_MB", raising=False)
    yield
    cache.set_enabled(None)


def test_cache_dir_honours_xdg(tmp_path):
    assert cache.cache_dir() == tmp_path / "xdg" / "reportkit"


def test_put_get_roundtrip_atomic_and_umask(tmp_path):
    old = os.umask(0o027)
    try:
        cache.put("pdf", "ab" * 32, b"data")
    finally:
        os.umask(old)
    path = cache.cache_dir() / "pdf" / ("ab" * 32)
    assert cache.get("pdf", "ab" * 32) == b"data"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    assert cache.get("pdf", "cd" * 32) is None


def test_bad_names_refused():
    with pytest.raises(ValueError):
        cache.put("../x", "ab" * 32, b"")
    with pytest.raises(ValueError):
        cache.get("pdf", "../../etc/passwd")


def test_switch_env_and_function(monkeypatch):
    cache.put("pdf", "ab" * 32, b"x")
    monkeypatch.setenv("REPORTKIT_NO_CACHE", "1")
    assert cache.get("pdf", "ab" * 32) is None
    cache.put("pdf", "cd" * 32, b"y")
    monkeypatch.delenv("REPORTKIT_NO_CACHE")
    assert cache.get("pdf", "cd" * 32) is None  # nothing was kept while off
    assert cache.get("pdf", "ab" * 32) == b"x"
    cache.set_enabled(False)
    assert os.environ.get("REPORTKIT_NO_CACHE") == "1"  # worker processes inherit the switch
    assert cache.get("pdf", "ab" * 32) is None
    cache.set_enabled(True)
    assert cache.get("pdf", "ab" * 32) == b"x"


def test_pruning_bounds_size_and_keeps_recently_used(tmp_path):
    c = Cache(tmp_path / "c", limit=10**9)
    keys = [f"{i:02d}" * 32 for i in range(10)]
    for n, key in enumerate(keys):
        c.put("pdf", key, bytes(100_000))
        os.utime(c.path("pdf", key), (1_000_000 + n, 1_000_000 + n))  # oldest first
    assert c.get("pdf", keys[0]) is not None  # used now: the most recent
    removed = c.prune(350_000)
    assert removed > 0
    assert c.size() <= 350_000
    assert c.get("pdf", keys[0]) is not None
    assert c.get("pdf", keys[1]) is None  # the least recently used went first


def test_put_prunes_by_env_limit(monkeypatch):
    monkeypatch.setenv("REPORTKIT_CACHE_MAX_MB", "0.5")
    for i in range(12):
        cache.put("webfont", f"{i:02d}" * 32, bytes(100_000))
    assert cache.default().size() <= 512 * 1024


def test_clear():
    cache.put("pdf", "ab" * 32, b"x")
    cache.clear()
    assert not cache.cache_dir().exists()
    assert cache.get("pdf", "ab" * 32) is None


# --- pdf_key -----------------------------------------------------------------------------------

SOURCE = '#image("/figures/chart.svg")\n#image("/img/photo.png")\n#text("Not a file.")\n'


@pytest.fixture
def report(tmp_path):
    root = tmp_path / "report"
    (root / "figures").mkdir(parents=True)
    (root / "img").mkdir()
    (root / "figures" / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>')
    (root / "figures" / "unused.svg").write_text("<svg/>")
    (root / "img" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / "img" / "other.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(8))
    return root


def key(root, source=SOURCE, families=LATIN, **options):
    return cache.pdf_key(source, root, families, {"timestamp": 0, "standards": ["ua-1"], **options})


def rewrite_same_stat(path: Path, data: bytes):
    """New bytes of the same length, under the same name, with the old mtime: only the content differs."""
    st = path.stat()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_key_is_stable(report):
    assert key(report) == key(report)
    copy = report.parent / "copy"
    shutil.copytree(report, copy)
    assert key(copy) == key(report)  # content, not the folder's name


def test_key_changes_with_figure_in_figures_folder(report):
    before = key(report)
    svg = report / "figures" / "chart.svg"
    rewrite_same_stat(svg, svg.read_bytes().replace(b'width="1"', b'width="2"'))
    assert key(report) != before


def test_key_changes_with_unreferenced_figure_too(report):
    # every file of figures/ counts, even one the source names only indirectly
    before = key(report)
    (report / "figures" / "unused.svg").write_text("<svg></svg>")
    assert key(report) != before


def test_key_changes_with_referenced_png_outside_figures(report):
    before = key(report)
    png = report / "img" / "photo.png"
    rewrite_same_stat(png, png.read_bytes()[:-1] + b"\x01")
    assert key(report) != before


def test_key_ignores_unreferenced_file_outside_figures(report):
    before = key(report)
    (report / "img" / "other.png").write_bytes(b"changed")
    assert key(report) == before


def test_key_finds_escaped_and_relative_literals(report):
    (report / "img" / 'we"ird.png').write_bytes(b"a")
    source = '#image("img/we\\"ird.png")\n'
    before = key(report, source)
    (report / "img" / 'we"ird.png').write_bytes(b"b")
    assert key(report, source) != before


def test_key_ignores_paths_outside_root(report, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("a")
    source = f'#read("../secret.txt")\n#read("{outside}")\n'
    before = key(report, source)
    outside.write_text("b")
    assert key(report, source) == before


def test_key_changes_with_source_options_and_families(report):
    base = key(report)
    assert key(report, SOURCE + " ") != base
    assert key(report, timestamp=1) != base
    assert cache.pdf_key(SOURCE, report, LATIN, {"timestamp": 0, "standards": []}) != base
    assert key(report, families=("Noto Serif", "Noto Sans")) != base


def test_key_changes_with_font_file_mtime(report, tmp_path, monkeypatch):
    from reportkit import fonts

    font = tmp_path / "Font.ttf"
    shutil.copy(fonts.files_for(LATIN)[0], font)
    monkeypatch.setattr(fonts, "files_for", lambda families: [str(font)])
    before = key(report)
    st = font.stat()
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert key(report) != before


def test_key_changes_with_versions(report, monkeypatch):
    import reportkit

    before = key(report)
    monkeypatch.setattr(reportkit, "__version__", reportkit.__version__ + ".post1")
    assert key(report) != before
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_version", lambda dist: "0.0.0-other")
    assert key(report) != before


# --- engine: one date source, warnings returned ---------------------------------------------------

DOC = ('#set document(title: "T", date: datetime(year: 2020, month: 5, day: 4))\n'
       '#set text(font: "Noto Serif", lang: "en")\n= Title\nToday: #datetime.today().display()\n')


def _dates(pdf: bytes):
    import re

    return sorted(set(re.findall(rb"/(?:CreationDate|ModDate) *\(D:(\d{8})", pdf) + re.findall(rb"<xmp:\w+Date>(\d{4}-\d\d-\d\d)", pdf)))


def test_typst_pdf_dates_come_from_timestamp_only(tmp_path, monkeypatch):
    from reportkit.engine import typst_pdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")  # ignored: the caller's timestamp is the one source
    ts = 1_000_000_000  # 2001-09-09
    pdf, warnings = typst_pdf(DOC, tmp_path, LATIN, ts)
    again, _ = typst_pdf(DOC, tmp_path, LATIN, ts)
    assert pdf == again
    assert _dates(pdf) == [b"2001-09-09", b"20010909"]
    assert warnings == []
    other, _ = typst_pdf(DOC, tmp_path, LATIN, ts + 86400)
    assert other != pdf


def test_typst_pdf_returns_located_warnings(tmp_path):
    from reportkit.engine import typst_pdf
    from reportkit.errors import Diagnostic

    source = '#set text(font: ("Noto Serif", "No Such Family"), lang: "en")\n#set document(title: "T")\nHello\n'
    _pdf, warnings = typst_pdf(source, tmp_path, LATIN, 0)
    assert warnings and all(isinstance(w, Diagnostic) and w.level == "warning" for w in warnings)
    assert any("no such family" in w.message.lower() for w in warnings)
    assert warnings[0].loc.file == "typst" and warnings[0].loc.line == 1


def test_many_puts_stay_within_the_bound_without_a_scan_each(tmp_path, monkeypatch):
    """A put scans the folder only when this process's running count nears the bound, yet the folder
    never holds more than the bound (after each put), however many entries one build writes."""
    c = Cache(tmp_path / "c", limit=50_000)
    scans = []
    real = Cache.entries
    monkeypatch.setattr(Cache, "entries", lambda self: scans.append(1) or real(self))
    for i in range(300):
        c.put("csl", f"{i:064x}", b"x" * 1000)
        assert c.size() <= 50_000
    assert len(scans) - 300 < 60  # size() scans once a put; the puts themselves only now and then
    assert c.get("csl", f"{299:064x}") == b"x" * 1000  # the newest entry is kept
