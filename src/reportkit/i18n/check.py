"""Check a language's catalogs against the report: markup kept, numbers, glossary, script.

Errors (a build refuses them): invalid PO, broken or unbalanced markup, notes/references/links/URLs
dropped, added or changed in a reviewed translation. Warnings: numbers that differ, a glossary term not
used, markup problems in a fuzzy translation (the build ignores fuzzy entries and prints the source, so
they cannot break an edition), an empty catalog, and an entry whose msgid matches no text of the report
and is not obsolete (a translator edited the msgid, or the source changed and `i18n update` has not
run yet): its translation is not used.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from ..errors import Collector, Loc, ReportError
from ..localize import parse_translation
from ..locales import parse_locale
from ..resolve import Resolved
from .catalog import catalog_files, normalize, read_catalog, shown_path, syntax_errors
from .units import catalog_name, units

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
# Characters that are standard in Taiwan (Ministry of Education forms) although OpenCC's s2tw swaps
# them for a variant: flagging them would only teach translators to ignore the check.
_SIMPLIFIED_EXEMPT = set("台岳了杰布占回才秘里峰群床")


def numbers(text: str) -> Counter:
    return Counter(n.replace(",", "") for n in _NUMBER.findall(text))


def glossary(root: Path, lang: str) -> list[dict]:
    path = root / parse_locale(lang).bcp47 / "glossary.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [t for t in data.get("terms", []) if t.get("en") and t.get("zh")]


def simplified_chars(text: str) -> list[str]:
    """Characters OpenCC changes when converting the whole text simplified -> traditional (Taiwan).

    The whole text is converted (not one character at a time) so phrases such as 阿里巴巴 keep their
    standard Taiwan forms; 台 is accepted beside 臺, as Taiwan publications use both."""
    converted = _opencc().convert(text)
    if len(converted) != len(text):
        return sorted({c for c in text if _opencc().convert(c) != c and c not in _SIMPLIFIED_EXEMPT})
    return sorted({a for a, b in zip(text, converted) if a != b and a not in _SIMPLIFIED_EXEMPT})


_CONVERTER = None


def _opencc():
    global _CONVERTER
    if _CONVERTER is None:
        from opencc import OpenCC

        _CONVERTER = OpenCC("s2tw")
    return _CONVERTER


def check_catalogs(resolved: Resolved, lang: str, root: Path) -> Collector:
    code = parse_locale(lang)
    c = Collector()
    all_units = units(resolved, include_notes=True)
    known = {u.rich.source: u for u in all_units}
    known_norm = {normalize(u.rich.source): u for u in all_units}
    per_file: Counter = Counter(catalog_name(u.file, resolved.report.folder) for u in units(resolved))
    terms = glossary(root, lang)
    note_sources = {n.text.source for n in resolved.report.notes.values() if not n.translate}
    for path in catalog_files(resolved.report.id, code.bcp47, root):
        broken = syntax_errors([path])
        if broken:
            c.items.extend(broken)
            continue
        try:
            cat = read_catalog(path, code.gettext)
        except ReportError as e:
            c.items.extend(e.diagnostics)
            continue
        shown = shown_path(path)
        if not cat.active:
            line = cat.header.lineno if cat.header else 1
            if per_file[path.stem]:
                c.warning(Loc(shown, line), f"empty catalog: no entries for the {per_file[path.stem]} texts of "
                                            f"{path.stem}; restore it from git, or run `reportkit i18n update` to refill it")
            elif not cat.obsolete:
                c.warning(Loc(shown, line), "empty catalog, and no content file of that name has text; delete it")
        for msg in cat.active:
            if not msg.msgid or msg.msgctxt is not None or msg.msgid_plural is not None:
                continue
            loc = Loc(shown, msg.lineno)
            unit = known.get(msg.msgid) or known_norm.get(normalize(msg.msgid))
            if unit is None:
                c.warning(loc, "msgid matches no text of the report, so this entry is never used: a msgid must stay "
                               "the source text (translate only msgstr); restore it, or if the source changed run "
                               "`reportkit i18n update`")
                continue
            if not msg.msgstr:
                continue
            got_nodes, problem = parse_translation(unit.rich, msg.msgstr, code.bcp47)
            if problem:
                if msg.fuzzy:  # the build ignores fuzzy entries (it prints the source): a warning, as there
                    c.warning(loc, f"fuzzy translation, not used until reviewed: {problem}")
                else:
                    c.error(loc, problem)
            if got_nodes is None or msg.fuzzy:
                continue
            if numbers(unit.rich.plain()) != numbers(inline_plain(got_nodes)):
                missing = numbers(unit.rich.plain()) - numbers(inline_plain(got_nodes))
                if missing:
                    c.warning(loc, f"numbers differ from the source (missing {', '.join(sorted(missing))}); check the figures")
            if code.typst_lang == "zh" and code.bcp47 != "zh-Hans" and msg.msgid not in note_sources:
                bad = simplified_chars(msg.msgstr)
                if bad:
                    c.error(loc, f"simplified characters in a zh-Hant translation: {''.join(bad)}; use traditional forms")
            for t in terms:
                # a capitalized term is a name (Moonshot the company, not a moonshot program)
                flags = 0 if t["en"][0].isupper() else re.IGNORECASE
                if re.search(r"\b" + re.escape(t["en"]) + r"\b", msg.msgid, flags) and t["zh"] not in msg.msgstr:
                    c.warning(loc, f'glossary: "{t["en"]}" should be translated as "{t["zh"]}"')
    return c


def inline_plain(nodes) -> str:
    from ..model import plain_text

    return plain_text(nodes)
