"""Localize: interface words from reportkit's catalog, CLDR dates, locale codes, translated artwork."""
import pytest

from reportkit.catalog_ui import translations
from reportkit.load import load
from reportkit.locales import parse_locale
from reportkit.localize import localize
from reportkit.resolve import resolve
from reportkit.ui_strings import LABELS, WORDS


def test_every_interface_word_is_translated_for_zh_hant():
    zh = translations("zh_Hant")
    missing = [w for w in list(WORDS) + list(LABELS.values()) if zh.gettext(w) == w]
    assert missing == []


def test_locale_codes_in_every_spelling():
    code = parse_locale("zh-Hant")
    assert (code.bcp47, code.gettext, code.babel, code.typst_lang, code.typst_region) == ("zh-Hant", "zh_Hant", "zh_Hant_TW", "zh", "TW")
    assert parse_locale("zh_Hant") == code
    assert parse_locale("en").typst_region == "" and not parse_locale("en").is_cjk
    with pytest.raises(ValueError):
        parse_locale("not a tag!")


def test_labels_and_dates_follow_the_locale(example_copy):
    resolved = resolve(load(example_copy))
    en = localize(resolved)
    assert (en.label_of("tab-results"), en.label_of("sec-data"), en.label_of("ch-findings")) == ("Table 1", "Section 1.1", "Chapter 2")
    assert en.date_text() == "March 2026"
    zh = localize(resolved, "zh-Hant", {})
    assert (zh.label_of("tab-results"), zh.label_of("sec-data"), zh.label_of("ch-findings")) == ("表 1", "第 1.1 節", "第 2 章")
    assert zh.date_text() == "2026年3月"


def test_translated_artwork_replaces_the_source_image(example_copy):
    (example_copy / "figures" / "flow.zh-Hant.svg").write_text((example_copy / "figures" / "flow.svg").read_text().replace("content", "內容"))
    resolved = resolve(load(example_copy))
    zh = localize(resolved, "zh-Hant", {})
    from reportkit.model import Figure, walk_blocks
    fig = next(b for ch in zh.report.chapters for b in walk_blocks([ch]) if isinstance(b, Figure) and b.id == "fig-flow")
    assert fig.image.name == "flow.zh-Hant.svg"
    src = next(b for ch in resolved.report.chapters for b in walk_blocks([ch]) if isinstance(b, Figure) and b.id == "fig-flow")
    assert src.image.name == "flow.svg"  # the source edition is untouched
