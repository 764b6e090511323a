"""The termbase: one concept = one entry, with its terms per language, forbidden variants and notes.

File: `locales/<lang>/glossary.yaml` (the languages a concept names are not limited to <lang>; the
checker of a language reads its own folder's file). Format (see docs/translating.md):

    concepts:
      - id: ai-stack                      # stable, used as the TBX conceptEntry id
        en: [AI stack]                    # source terms (the first is preferred)
        zh-Hant: [AI 技術堆疊]              # agreed target terms: a translation must use one of them
        forbidden: {zh-Hant: [AI 堆棧]}     # variants that must not appear, wherever they stand
        note: why, and when an exception applies
        check: false                      # optional: forbidden variants only, no "must use" (words
                                          #   that also occur in names or in senses with other renderings)
        allow: {zh-Hant: [秦淮數據]}         # optional: names in which a forbidden variant is correct

Matching the source: a lowercase term matches any inflection of its words (the lemma: "data
centers" matches "data center", "strategies" matches "strategy"), case-insensitively; a term written
with a capital is a name and matches only as written ("Moonshot", not "moonshot"), with plurals
still accepted on its last word. When two terms overlap, only the longest counts ("Beijing Academy
of Artificial Intelligence" is a name whose Chinese keeps 人工智能, so "artificial intelligence"
inside it asks nothing).

The lemmatizer is a small rule-based English one (regular plurals, -ies/-es/-ves, possessives, a
list of irregular nouns), not a dictionary one: it is enough for terminology, which is nouns.

Forbidden variants are searched in the translation outside quotations and titles (「」『』《》,
where restored PRC wording is kept) and outside any agreed term of another concept (official
names such as 北京智源人工智能研究院 keep 人工智能) and the concept's `allow` names.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import yaml

from ..inline import LANG_TAG
from ..locales import parse_locale

SOURCE = "en"
_META = {"id", "note", "forbidden", "check", "allow", "notes"}

_IRREGULAR = {"children": "child", "people": "person", "men": "man", "women": "woman", "analyses": "analysis",
              "criteria": "criterion", "phenomena": "phenomenon", "indices": "index", "mice": "mouse",
              "feet": "foot", "teeth": "tooth", "geese": "goose", "data": "data", "media": "media"}
_KEEP_S = ("ss", "us", "is", "ics", "news", "series", "species", "chassis")


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """An English word's dictionary form, by rules: strategies -> strategy, models -> model,
    boxes -> box, wolves -> wolf, Nvidia's -> nvidia. Lowercased."""
    w = word.lower()
    if w.endswith("'s") or w.endswith("’s"):
        w = w[:-2]
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3 or w.endswith(_KEEP_S):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ves") and w[:-3] in ("wol", "hal", "shel", "lea", "thie", "sel"):
        return w[:-3] + "f"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’]s)?|[^\sA-Za-z0-9]")


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@dataclass
class Concept:
    id: str
    terms: dict[str, list[str]]  # lang -> agreed terms (first preferred)
    forbidden: dict[str, list[str]] = field(default_factory=dict)
    allow: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""
    check: bool = True
    line: int = 0

    def patterns(self) -> list[tuple[str, list]]:
        """(term, token matcher) for each source term: a matcher is a list of (kind, value)."""
        out = []
        for term in self.terms.get(SOURCE, []):
            toks = [t for t, _, _ in tokens(term)]
            name = term[:1].isupper()
            out.append((term, [(name, t) for t in toks]))
        return out


def _match_token(name: bool, want: str, got: str) -> bool:
    if not want[:1].isalnum():
        return want == got
    if name:  # as written; a plural or possessive of the last letters is still the name
        return got == want or (got[:1] == want[:1] and lemma(got) == lemma(want))
    return lemma(got) == lemma(want)


@dataclass
class Termbase:
    concepts: list[Concept]
    path: Path | None = None

    def _patterns(self) -> list:
        cached = self.__dict__.get("_pattern_cache")
        if cached is None:
            cached = [(c, term, pat) for c in self.concepts for term, pat in c.patterns() if pat]
            self.__dict__["_pattern_cache"] = cached
        return cached

    def find(self, source: str) -> list[tuple[Concept, str, int, int]]:
        """The concepts whose source term occurs in `source` (longest match wins): (concept, term, start, end)."""
        toks = tokens(source)
        # where each token (by lemma; punctuation as written) stands: a pattern is only tried where its
        # first token does (a check of a 400-unit report would otherwise lemmatize millions of times)
        where: dict[str, list[int]] = {}
        for i, (t, _, _) in enumerate(toks):
            where.setdefault(lemma(t) if t[:1].isalnum() else t, []).append(i)
        hits = []
        for c, term, pat in self._patterns():
            n = len(pat)
            first = pat[0][1]
            for i in where.get(lemma(first) if first[:1].isalnum() else first, ()):
                if i + n <= len(toks) and all(_match_token(name, want, toks[i + k][0]) for k, (name, want) in enumerate(pat)):
                    hits.append((c, term, toks[i][1], toks[i + n - 1][2]))
        hits.sort(key=lambda h: (h[2], -(h[3] - h[2])))
        kept = []
        for h in hits:
            if any(k[2] <= h[2] and h[3] <= k[3] and (k[3] - k[2]) > (h[3] - h[2]) and k[0] is not h[0] for k in hits):
                continue
            if any(k[0] is h[0] for k in kept):
                continue
            kept.append(h)
        return kept

    def forbidden_in(self, lang: str, text: str) -> list[tuple[Concept, str]]:
        """Forbidden variants of `lang` used in `text`, outside quotations, titles, agreed names and allowed names."""
        masked = _mask_quotes(text)
        protected = sorted({t for c in self.concepts for t in c.terms.get(lang, [])} |
                           {t for c in self.concepts for t in c.allow.get(lang, [])}, key=len, reverse=True)
        out = []
        for c in self.concepts:
            for bad in c.forbidden.get(lang, []):
                # a variant that holds quotation marks itself (「四兩撥千斤」策略) is searched in the whole text
                rest = text if any(q in bad for q in _QUOTES) else masked
                if bad not in rest:
                    continue
                for name in protected:
                    if bad in name and name != bad:
                        rest = rest.replace(name, "\0" * len(name))
                if bad in rest:
                    out.append((c, bad))
        return out


_QUOTES = {"「": "」", "『": "』", "《": "》"}


def _mask_quotes(text: str) -> str:
    """`text` with everything inside 「」『』《》 blanked (outermost pairs; nesting honoured)."""
    out, stack = [], []
    for ch in text:
        if ch in _QUOTES:
            stack.append(_QUOTES[ch])
            out.append(ch)
        elif stack and ch == stack[-1]:
            stack.pop()
            out.append(ch)
        else:
            out.append("\0" if stack else ch)
    return "".join(out)


def path_for(root: Path, lang: str) -> Path:
    return root / parse_locale(lang).bcp47 / "glossary.yaml"


def load(root: Path, lang: str) -> Termbase:
    path = path_for(root, lang)
    if not path.is_file():
        return Termbase([], None)
    return parse(path.read_text(encoding="utf-8"), path)




def parse(text: str, path: Path | None = None) -> Termbase:
    """The termbase in `text`. A YAML error, a concept that is not a mapping, or a key that is neither a
    field (id, note, forbidden, check, allow) nor a language tag is a ReportError at its file:line."""
    from ..errors import Diagnostic, Loc, ReportError, did_you_mean, shown_path

    shown = shown_path(path) if path else "glossary.yaml"

    def fail(mark, message):
        raise ReportError([Diagnostic(Loc(shown, mark.line + 1, mark.column + 1), message)])

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml: the pure-Python one took 0.1 s
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            fail(e.problem_mark, f"YAML syntax: {e.problem}; fix the glossary's indentation or quoting")
        data = (loader.construct_document(node) if node is not None else None) or {}
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(data.get("concepts") or [], list):
        fail(node.start_mark, "a glossary is a mapping with `concepts:`, a list of concepts (see docs/translating.md)")
    items = next((v.value for k, v in node.value if k.value == "concepts"), []) if node is not None else []
    concepts = []
    for i, (raw, item) in enumerate(zip(data.get("concepts") or [], items)):
        if not isinstance(raw, dict):
            fail(item.start_mark, "a concept is a mapping (id, en, zh-Hant, forbidden…), not a single value")
        for key_node, _ in item.value:
            key = str(key_node.value)
            if key not in _META and not re.fullmatch(LANG_TAG, key):
                fail(key_node.start_mark, f'"{key}" is neither a field of a concept nor a language tag'
                                          f"{did_you_mean(key, sorted(_META))}; use {', '.join(sorted(_META))} or a tag such as zh-Hant")
        for field_name in ("forbidden", "allow"):
            if not isinstance(raw.get(field_name) or {}, dict):
                fail(item.start_mark, f'"{field_name}" maps a language tag to its terms, e.g. {field_name}: {{zh-Hant: [...]}}')
        terms = {k: _strings(v) for k, v in raw.items() if k not in _META}
        concepts.append(Concept(id=str(raw.get("id") or f"c{i + 1}"), terms=terms,
                                forbidden={k: _strings(v) for k, v in (raw.get("forbidden") or {}).items()},
                                allow={k: _strings(v) for k, v in (raw.get("allow") or {}).items()},
                                note=str(raw.get("note") or "").strip(), check=raw.get("check", True) is not False,
                                line=item.start_mark.line + 1))
    return Termbase(concepts, path)


def _strings(v) -> list[str]:
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


# ------------------------------------------------------------------------------------------- TBX

def to_tbx(tb: Termbase) -> str:
    """The termbase as TBX (ISO 30042:2019, TBX-Basic dialect, DCA style), which Trados MultiTerm,
    memoQ, Phrase and Weblate import: preferred terms as preferredTerm-admn-sts, other agreed terms as
    admittedTerm-admn-sts, forbidden variants as deprecatedTerm-admn-sts."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">',
           "  <tbxHeader>", "    <fileDesc>",
           "      <sourceDesc><p>reportkit termbase" + (escape(f" (locales/{tb.path.parent.name}/{tb.path.name})") if tb.path else "") + "</p></sourceDesc>",
           "    </fileDesc>", "  </tbxHeader>", "  <text>", "    <body>"]
    for c in tb.concepts:
        out.append(f"      <conceptEntry id={quoteattr(_xml_id(c.id))}>")
        if c.note:
            out.append(f"        <note>{escape(c.note)}</note>")
        langs = list(dict.fromkeys(list(c.terms) + list(c.forbidden)))
        for lang in langs:
            out.append(f"        <langSec xml:lang={quoteattr(lang)}>")
            for i, term in enumerate(c.terms.get(lang, [])):
                status = "preferredTerm-admn-sts" if i == 0 else "admittedTerm-admn-sts"
                out += ["          <termSec>", f"            <term>{escape(term)}</term>",
                        f'            <termNote type="administrativeStatus">{status}</termNote>', "          </termSec>"]
            for term in c.forbidden.get(lang, []):
                out += ["          <termSec>", f"            <term>{escape(term)}</term>",
                        '            <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>',
                        "          </termSec>"]
            out.append("        </langSec>")
        out.append("      </conceptEntry>")
    out += ["    </body>", "  </text>", "</tbx>", ""]
    return "\n".join(out)


def _xml_id(s: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_.-]", "-", s)
    return s if re.match(r"[A-Za-z_]", s) else "c-" + s
