"""Check a language's catalogs against the report: markup kept, numbers, termbase, script, templates.

Errors (a build refuses them): invalid PO, broken or unbalanced markup, notes/references/links/URLs
dropped, added or changed in a reviewed translation, simplified characters in zh-Hant. Warnings:
numbers that differ, a termbase concept not translated as agreed or a forbidden variant used (see
`termbase.py`), markup problems in a fuzzy translation (the build ignores fuzzy entries and prints the
source, so they cannot break an edition), an empty catalog, an entry whose msgid matches no text of the
report and is not obsolete (a translator edited the msgid, or the source changed and `i18n update`
has not run yet): its translation is not used; a template (locales/templates/*.pot) that is not what
`i18n extract` would write; a hand-made figure variant (figures/x.<lang>.svg) without a reviewed
translation of the figure's text.

Numbers are compared by value, so conversions into Chinese magnitude words pass: 1.1 million = 110 萬,
2.5 billion = 25 億, 1,000 = 1 千, 1M = 百萬, 15th = 十五; full-width digits (０-９) count as digits.

A translator who has checked a warning marks the entry with a translator comment and it stops
warning: `# reportkit: reviewed-numbers` (the numbers are right as written) or
`# reportkit: reviewed-terms` (the term differs on purpose); both: `# reportkit: reviewed-numbers,
reviewed-terms`. (A comment, not a `#,` flag: GNU msgcat drops flags it does not know.) `i18n update`
drops the mark when the source text changes.
"""
from __future__ import annotations

import dataclasses
import functools

import re
from collections import Counter
from pathlib import Path

from ..errors import Collector, Loc, ReportError
from ..localize import parse_translation
from ..locales import parse_locale
from ..resolve import Resolved
from .catalog import catalog_files, normalize, reviewed, read_catalog, shown_path, syntax_errors
from .figures import CATALOG as FIGURES, svg_plain
from .units import catalog_name, units

_EN_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(\d+(?:[.,]\d+)*)(?:(?:\s|-)?(thousand|million|billion|trillion)\b|([kKMB])\b)?")
_EN_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
             "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "萬": 10**4, "億": 10**8, "兆": 10**12}
_ZH_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(\d+(?:[.,]\d+)*)\s*([十百千萬億兆]*)")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUMERAL = re.compile("[零〇一二兩三四五六七八九十百千萬億]+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")
# Characters that are standard in Taiwan (Ministry of Education forms) although OpenCC's s2tw swaps
# them for a variant: flagging them would only teach translators to ignore the check.
_SIMPLIFIED_EXEMPT = set("台岳了杰布占回才秘里峰群床")


def _decimal(s: str):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def source_numbers(text: str) -> list[tuple[str, object]]:
    """(as written without commas, value) of each number of an English text: "$1.1 million" -> ("1.1", 1100000)."""
    out = []
    for m in _EN_NUMBER.finditer(text.translate(_FULLWIDTH)):
        literal = m.group(1).replace(",", "")
        value = _decimal(m.group(1))
        scale = _EN_SCALE.get(m.group(2) or m.group(3) or "", 1)
        out.append((literal, value * scale if value is not None else None))
    return out


def chinese_numeral(s: str):
    """The value of a Chinese numeral (十五 -> 15, 百萬 -> 1000000, 一千零五 -> 1005), or None."""
    total, section, digit = 0, 0, None
    if not s:
        return None
    for ch in s:
        if ch in _ZH_DIGITS:
            if digit is not None and digit != 0 and _ZH_DIGITS[ch] != 0:
                return None  # 十五五: two digits in a row is no numeral
            digit = _ZH_DIGITS[ch]
        elif ch in ("萬", "億", "兆"):
            section += digit or 0
            if section == 0:
                section = 1
            total = (total + section) * _ZH_UNITS[ch]
            section, digit = 0, None
        elif ch in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def target_numbers(text: str) -> tuple[set, set]:
    """(numbers as written without commas, their values) in a Chinese (or any) translation: digits with
    magnitude words (110 萬, 1,091 億, 1 千), full-width digits, and Chinese numerals (十五, 百萬: every
    numeral inside a run, so 「十五五」規劃 gives 15)."""
    text = text.translate(_FULLWIDTH)
    literals, values = set(), set()
    for m in _ZH_NUMBER.finditer(text):
        literals.add(m.group(1).replace(",", ""))
        value = _decimal(m.group(1))
        if value is None:
            continue
        values.add(value)
        scale = 1
        for ch in m.group(2) or "":
            scale *= _ZH_UNITS[ch]
        values.add(value * scale)
    for m in _ZH_NUMERAL.finditer(text):
        run = m.group(0)
        for i in range(len(run)):
            for j in range(i + 1, min(len(run), i + 8) + 1):
                v = chinese_numeral(run[i:j])
                if v is not None:
                    values.add(_decimal(str(v)))
    return literals, values


def missing_numbers(source: str, target: str) -> list[str]:
    """Numbers of the source that the translation gives neither as written nor with the same value."""
    literals, values = target_numbers(target)
    out = []
    for literal, value in source_numbers(source):
        if literal in literals or (value is not None and value in values) or _decimal(literal) in values:
            continue
        if literal not in out:
            out.append(literal)
    return out


def term_problems(tb, lang: str, source: str, target: str) -> list[str]:
    """Termbase warnings of one translation: concepts not translated as agreed, forbidden variants."""
    out = []
    for concept, term, _, _ in tb.find(source):
        agreed = concept.terms.get(lang, [])
        if concept.check and agreed and not any(t in target for t in agreed):
            out.append(f'termbase: "{term}" should be translated as "{" or ".join(agreed)}" (concept {concept.id})')
    for concept, bad in tb.forbidden_in(lang, target):
        agreed = concept.terms.get(lang, [])
        out.append(f'termbase: "{bad}" is a forbidden variant' + (f'; use "{agreed[0]}"' if agreed else "")
                   + f" (concept {concept.id}; quotations in 「」 and official names are exempt)")
    return out


def simplified_chars(text: str) -> list[str]:
    """Characters OpenCC changes when converting the whole text simplified -> traditional (Taiwan).

    The whole text is converted (not one character at a time) so phrases such as 阿里巴巴 keep their
    standard Taiwan forms; 台 is accepted beside 臺, as Taiwan publications use both. OpenCC's pure-Python
    converter took 0.15 s for the flagship's catalogs: its answers are kept in the user cache."""
    import json

    from .. import cache

    return json.loads(cache.kept("s2tw", (_opencc_stamp(), text),
                                 lambda: json.dumps(_simplified_chars(text), ensure_ascii=False).encode("utf-8")))


@functools.lru_cache(maxsize=None)
def _opencc_stamp() -> str:
    import importlib.util

    from ..cache import stat_key

    spec = importlib.util.find_spec("opencc")
    return "|".join(map(str, stat_key(spec.origin))) if spec and spec.origin else "?"


def _simplified_chars(text: str) -> list[str]:
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
    from . import termbase
    from .figures import figure_texts

    code = parse_locale(lang)
    c = Collector()
    all_units = units(resolved, include_notes=True)
    per_file: Counter = Counter(catalog_name(u.file, resolved.report.folder) for u in units(resolved))
    figs = figure_texts(resolved)
    fig_by_text: dict[str, list] = {}
    for ft in figs:
        fig_by_text.setdefault(ft.text, []).append(ft)
    tb_path = termbase.path_for(root, code.bcp47)
    ctx = _Context(code, {u.rich.source: u for u in all_units}, {normalize(u.rich.source): u for u in all_units},
                   per_file, fig_by_text, termbase.load(root, code.bcp47),
                   {n.text.source for n in resolved.report.notes.values() if not n.translate},
                   tb_path.read_bytes() if tb_path.is_file() else b"")
    ctx.per_file[FIGURES] += len(figs)
    stale_templates(resolved, root, c)
    for path in catalog_files(resolved.report.id, code.bcp47, root):
        broken = syntax_errors([path])
        if broken:
            c.items.extend(broken)
            continue
        data = path.read_bytes()  # read once: the catalog checked is the catalog its findings are kept under
        try:
            cat = read_catalog(path, data)
        except ReportError as e:
            c.items.extend(e.diagnostics)
            continue
        c.items.extend(_findings(path, data, cat, ctx))
    return c


@dataclasses.dataclass
class _Context:
    """What the checks of one language's catalogs compare each entry with."""
    code: object  # the language (locales.Locale)
    known: dict  # source text -> its unit
    known_norm: dict  # the same by normalized text
    per_file: Counter  # catalog name -> how many texts of the report it holds
    fig_by_text: dict  # figure text -> the figure texts (i18n.figures)
    tb: object  # the termbase
    note_sources: set  # sources of notes that are not translated (quoted as written)
    tb_bytes: bytes  # the termbase file, for the cache key

    def unit(self, msgid: str):
        return self.known.get(msgid) or self.known_norm.get(normalize(msgid))


def _findings(path: Path, data: bytes, cat, ctx: _Context) -> list:
    """The findings of one catalog. A catalog's findings are kept in the user cache under its bytes and
    everything they are compared with (the text and structure of the units its msgids name, the termbase,
    the language, reportkit's code): after an edit, `check` checks only the catalogs the edit touches.
    The figures' catalog is always checked (it reads the figure files as well)."""
    import json

    from .. import cache
    from ..errors import Diagnostic
    from ..uptodate import code_stamp

    shown = shown_path(path)
    if path.stem == FIGURES or not cache.enabled():
        return _check_catalog(cat, shown, path.stem, ctx)
    names = []
    for msg in cat.active:
        unit = ctx.unit(msg.msgid) if msg.msgid else None
        names.append((msg.msgid in ctx.note_sources,
                      None if unit is None else (unit.rich.source, repr(unit.rich.nodes))))
    parts = ("catalog-check-1", code_stamp(), _opencc_stamp(), ctx.code.bcp47, ctx.tb_bytes,
             path.stem, ctx.per_file[path.stem], data, repr(names))  # (the stem is in a message)
    made = cache.kept("i18ncheck", parts, lambda: json.dumps(
        [[d.level, d.loc.line, d.loc.col, d.message] for d in _check_catalog(cat, shown, path.stem, ctx)],
        ensure_ascii=False).encode("utf-8"))
    return [Diagnostic(Loc(shown, line, col), message, level) for level, line, col, message in json.loads(made)]


def _check_catalog(cat, shown: str, stem: str, ctx: _Context) -> list:
    code = ctx.code
    c = Collector()
    if not cat.active:
        line = cat.header.lineno if cat.header else 1
        if ctx.per_file[stem]:
            c.warning(Loc(shown, line), f"empty catalog: no entries for the {ctx.per_file[stem]} texts of "
                                        f"{stem}; restore it from git, or run `reportkit i18n update` to refill it")
        elif not cat.obsolete:
            c.warning(Loc(shown, line), "empty catalog, and no content file of that name has text; delete it")
    for msg in cat.active:
        if not msg.msgid or msg.msgctxt is not None or msg.msgid_plural is not None:
            continue
        loc = Loc(shown, msg.lineno)
        figure = stem == FIGURES and msg.msgid in ctx.fig_by_text
        unit = None if figure else ctx.unit(msg.msgid)
        if unit is None and not figure:
            c.warning(loc, "msgid matches no text of the report, so this entry is never used: a msgid must stay "
                           "the source text (translate only msgstr); restore it, or if the source changed run "
                           "`reportkit i18n update`")
            continue
        if not msg.msgstr:
            continue
        if figure:
            source_plain, target_plain = msg.msgid, msg.msgstr
        else:
            got_nodes, problem = parse_translation(unit.rich, msg.msgstr, code.bcp47)
            if problem:
                if msg.fuzzy:  # the build ignores fuzzy entries (it prints the source): a warning, as there
                    c.warning(loc, f"fuzzy translation, not used until reviewed: {problem}")
                else:
                    c.error(loc, problem)
            if got_nodes is None:
                continue
            source_plain, target_plain = unit.rich.plain(), inline_plain(got_nodes)
        if msg.fuzzy:
            continue
        marks = reviewed(msg)
        if "reviewed-numbers" not in marks:
            missing = missing_numbers(source_plain, target_plain)
            if missing:
                c.warning(loc, f"numbers differ from the source (missing {', '.join(sorted(missing))}); check the "
                               "figures, then add the comment `# reportkit: reviewed-numbers` if they are right")
        if code.typst_lang == "zh" and code.bcp47 != "zh-Hans" and msg.msgid not in ctx.note_sources:
            bad = simplified_chars(msg.msgstr)
            if bad:
                c.error(loc, f"simplified characters in a zh-Hant translation: {''.join(bad)}; use traditional forms")
        if "reviewed-terms" not in marks:
            for problem in term_problems(ctx.tb, code.bcp47, msg.msgid, msg.msgstr):
                c.warning(loc, problem)
        if figure:
            for ft in ctx.fig_by_text[msg.msgid]:
                variant = Path(ft.file).with_name(f"{Path(ft.file).stem}.{code.bcp47}.svg")
                if variant.is_file() and re.sub(r"\s+", "", msg.msgstr) not in svg_plain(variant):
                    c.warning(loc, f"{shown_path(variant)} does not contain this translation "
                                   f"(\"{msg.msgstr[:30]}\"): update the drawing or the translation")
    return c.items


def stale_templates(resolved: Resolved, root: Path, c: Collector) -> None:
    """Warn about templates (locales/templates/<report>/*.pot) that differ from what `extract` writes."""
    from .catalog import template_bytes

    folder = root / "templates" / resolved.report.id
    if not folder.is_dir():
        return
    try:
        wanted = template_bytes(resolved)
    except ReportError:
        return  # no msgcat: the layout cannot be compared
    for name, data in wanted.items():
        path = folder / f"{name}.pot"
        if not path.is_file():
            c.warning(Loc(shown_path(path)), "template missing: run `reportkit i18n extract`")
        elif path.read_bytes() != data:
            c.warning(Loc(shown_path(path)), "stale template: it is not what `reportkit i18n extract` writes "
                                             "from the current content; run it")
    for path in sorted(folder.glob("*.pot")):
        if path.stem not in wanted:
            c.warning(Loc(shown_path(path)), "stale template: no content file of that name has text; delete it")


def inline_plain(nodes) -> str:
    from ..model import plain_text

    return plain_text(nodes)
