"""The termbase: concept-oriented YAML, lemma matching, longest match, forbidden variants, TBX."""
import shutil

import pytest

from conftest import FLAGSHIP, ROOT
from reportkit.i18n import po as pofile
from reportkit.i18n.check import check_catalogs
from reportkit.i18n.termbase import lemma, load, parse, to_tbx
from reportkit.load import load as load_report
from reportkit.resolve import resolve

TB = load(ROOT / "locales", "zh-Hant")


def test_every_decision_of_the_old_glossary_is_kept():
    pairs = {(en, zh) for c in TB.concepts for en in c.terms["en"] for zh in c.terms.get("zh-Hant", [])}
    # the 71 (en, zh) decisions of the flat glossary, including the 33 of the April 2026 review
    for en, zh in [("frugal AI stack", "節約型 AI 技術堆疊"), ("Four-Ounce Strategy", "「四兩撥千斤」戰略"),
                   ('four ounces" strategy', "「四兩撥千斤」戰略"), ("AI+ plan", "「人工智慧+」行動"),
                   ("Beijing Academy of Artificial Intelligence", "北京智源人工智能研究院"),
                   ("benchmark", "基準測試"), ("optimization", "最佳化"), ("chip", "晶片")]:
        assert (en, zh) in pairs
    assert sum(len(c.terms["en"]) for c in TB.concepts if c.check) >= 71


@pytest.mark.parametrize("word,want", [("strategies", "strategy"), ("models", "model"), ("chips", "chip"),
                                       ("data", "data"), ("boxes", "box"), ("analysis", "analysis"),
                                       ("policies", "policy"), ("Nvidia's", "nvidia")])
def test_lemma(word, want):
    assert lemma(word) == want


def test_source_matched_by_lemma_and_longest_match_wins():
    found = lambda s: [c.id for c, *_ in TB.find(s)]
    assert "data-center" in found("new data centers in Guizhou")
    assert "chip" in found("the best chips are expensive")
    assert "moonshot" not in found("AGI moonshots")  # a name matches only as written
    assert "moonshot" in found("Moonshot AI's Kimi")
    assert found("the Beijing Academy of Artificial Intelligence (BAAI)") == ["beijing-academy-of-artificial-intelligence"]
    assert "artificial-intelligence" in found("artificial intelligence is a priority")


def test_forbidden_variants_fire_outside_quotes_and_names_only():
    bad = lambda s: [b for _, b in TB.forbidden_in("zh-Hant", s)]
    assert bad("這套軟件由數據驅動") == ["軟件", "數據"]
    assert bad("中國的「四兩撥千斤」策略") == ["「四兩撥千斤」策略"]
    assert bad("中國的「四兩撥千斤」戰略") == []
    assert bad("「沒有生態，再好的芯片也不過是昂貴的沙子」") == []  # a restored quotation
    assert bad("北京智源人工智能研究院與秦淮數據") == []  # official names, an allowed company name
    assert bad("人工智能與北京智源人工智能研究院") == ["人工智能"]


def test_check_fires_with_file_line_and_reviewed_mark_silences_it(tmp_path):
    proj = tmp_path / "proj"
    shutil.copytree(FLAGSHIP, proj / "content" / "four-ounces")
    shutil.copytree(ROOT / "locales", proj / "locales")
    resolved = resolve(load_report(proj / "content" / "four-ounces"))
    root = proj / "locales"
    assert check_catalogs(resolved, "zh-Hant", root).items == []  # the flagship is quiet
    po = root / "zh-Hant" / "four-ounces" / "ch2-2-models.po"
    cat = pofile.parse(po.read_text())
    e = next(e for e in cat.active if e.msgid == "Models: The Open-Weight Strategy")
    e.msgstr = "模型：開放權重策略與軟件"  # mainland word
    d = next(e for e in cat.active if "open-weight" in e.msgid.lower() and e.msgid != "Models: The Open-Weight Strategy"
             and "開放權重" in e.msgstr)
    d.msgstr = d.msgstr.replace("開放權重", "開源權重")  # the agreed term dropped
    po.write_bytes(pofile.dump(cat))
    items = check_catalogs(resolved, "zh-Hant", root).items
    messages = [(i.loc.file, i.loc.line, i.message) for i in items]
    assert any(m[0].endswith("ch2-2-models.po") and m[1] > 0 and '"軟件" is a forbidden variant' in m[2] for m in messages)
    assert any('"open-weight" should be translated as "開放權重"' in m[2] for m in messages)
    cat = pofile.parse(po.read_text())
    for e in cat.active:
        if "軟件" in e.msgstr or "開源權重" in e.msgstr:
            e.translator_comments.append("reportkit: reviewed-terms")
    po.write_bytes(pofile.dump(cat))
    assert "reportkit: reviewed-terms" in po.read_text()  # survives GNU msgcat (a #, flag would not)
    assert check_catalogs(resolved, "zh-Hant", root).items == []


def test_tbx_export():

    text = to_tbx(TB)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<tbx type="TBX-Basic" style="dca"')
    assert "deprecatedTerm-admn-sts" in text and "<term>「四兩撥千斤」策略</term>" in text
    from lxml import etree
    doc = etree.fromstring(text.encode())
    ns = "{urn:iso:std:iso:30042:ed-2}"
    assert len(doc.findall(f".//{ns}conceptEntry")) == len(TB.concepts)
    ids = [c.get("id") for c in doc.iter(f"{ns}conceptEntry")]
    assert len(set(ids)) == len(ids)


def test_yaml_format_minimal():
    tb = parse("concepts:\n  - id: x\n    en: [model]\n    zh-Hant: [模型]\n    forbidden: {zh-Hant: [模子]}\n")
    assert [c.id for c, *_ in tb.find("two Models")] == ["x"]  # lowercase term: any case, any inflection
    assert tb.concepts[0].line == 2


@pytest.mark.parametrize("text, where, what", [
    ("concepts:\n  - id: x\n    en: [AI]\n    forbiden: {zh-Hant: [a]}\n", ":4:5:", 'did you mean "forbidden"'),
    ('concepts:\n  - "just a string"\n', ":2:5:", "a concept is a mapping"),
    ("concepts: [\n", ":2:1:", "YAML syntax"),
    ("- a\n- b\n", ":1:1:", "a glossary is a mapping with `concepts:`"),
    ("concepts:\n  - id: x\n    forbidden: [a]\n", ":2:5:", '"forbidden" maps a language tag'),
])
def test_a_bad_glossary_is_one_error_at_its_line(tmp_path, text, where, what):
    """A typo in a field name is not silently a new language; a wrong shape is not an internal error."""
    from reportkit.errors import ReportError

    path = tmp_path / "glossary.yaml"
    path.write_text(text)
    with pytest.raises(ReportError) as e:
        parse(text, path)
    [d] = e.value.diagnostics
    assert f"glossary.yaml{where}" in str(d) and what in d.message, str(d)
