"""`check` keeps each catalog's findings in the cache (i18n/check.py, _findings). Each thing a finding
depends on is changed here with the catalog's bytes left as they are; after each change, the findings
with the cache must equal the findings without it. (The catalog lifecycle's state machine compares the
two after every step of random histories as well.)"""
import polib
import pytest

from reportkit import cache
from test_catalog_lifecycle import LANG, Project, set_msgstr


def _both(proj):
    warm = [str(d) for d in proj.check()]
    cache.set_enabled(False)
    try:
        cold = [str(d) for d in proj.check()]
    finally:
        cache.set_enabled(True)  # (False set REPORTKIT_NO_CACHE, which True takes away)
        cache.set_enabled(None)
    return warm, cold


@pytest.fixture
def proj(tmp_path):
    p = Project(tmp_path)
    p.paras = {"findings": ["The export controls policy, in 2026."], "method": ["Another text here."]}
    p.write()
    p.update()
    e = next(x for x in polib.pofile(str(p.po("findings"))) if x.msgid == p.paras["findings"][0])
    set_msgstr(p.po("findings"), e.msgid, "譯文：「出口」政策，2026 年。")
    warm, cold = _both(p)
    assert warm == cold
    return p


def test_a_termbase_edit_is_seen(proj):
    glossary = proj.root / LANG / "glossary.yaml"
    glossary.write_text("concepts:\n  - id: t\n    en: [translation]\n    zh-Hant: [翻譯]\n"
                        "    forbidden: {zh-Hant: [譯文]}\n", encoding="utf-8")
    warm, cold = _both(proj)
    assert any("forbidden variant" in d for d in cold)
    assert warm == cold
    glossary.write_text("concepts:\n  - id: e\n    en: [export controls]\n    zh-Hant: [出口管制]\n", encoding="utf-8")
    warm, cold = _both(proj)
    assert any('"export controls" should be translated' in d for d in cold) and not any("forbidden" in d for d in cold)
    assert warm == cold


def test_a_source_edit_before_update_is_seen(proj):
    before = proj.po("findings").read_bytes()
    proj.paras["findings"][0] = "The export controls policy, in 2027."
    proj.write("findings")  # no `i18n update`: the catalog is unchanged, its msgid now names no text
    assert proj.po("findings").read_bytes() == before
    warm, cold = _both(proj)
    assert any("msgid matches no text" in d for d in cold)
    assert warm == cold
    proj.paras["findings"][0] = "The export controls policy, in 2026."  # undone
    proj.write("findings")
    warm, cold = _both(proj)
    assert not any("msgid matches no text" in d and "findings.po" in d for d in cold)
    assert warm == cold



def test_two_catalogs_with_the_same_bytes_keep_their_own_findings(tmp_path):
    """Two empty catalogs (the same bytes, as many texts each) of two chapters: each warning names its
    own chapter, the second not replayed from the first's cache entry."""
    from collections import Counter

    from reportkit.i18n.catalog import read_catalog
    from reportkit.i18n.check import _Context, _findings
    from reportkit.i18n.termbase import Termbase
    from reportkit.locales import parse_locale

    ctx = _Context(parse_locale(LANG), {}, {}, Counter({"chapter-a": 3, "chapter-b": 3}), {}, Termbase([]), set(), b"")
    said = []
    for stem in ("chapter-a", "chapter-b"):
        path = tmp_path / f"{stem}.po"
        path.write_bytes(b"")
        said += [d.message for d in _findings(path, b"", read_catalog(path, b""), ctx)]
    assert len(said) == 2 and "texts of chapter-a" in said[0] and "texts of chapter-b" in said[1], said
