"""Catalog lifecycle: every edit history of the content leaves catalogs that GNU gettext, polib and
translate-toolkit read the same way, in GNU's canonical layout, and no translation is ever lost or
attached to other text. Plain tests for the reported failure modes, then a stateful property test."""
import json
import random
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from translate.storage import po as ttk_po

from conftest import EXAMPLE
from reportkit.i18n.catalog import load_translations, update
from reportkit.i18n.check import check_catalogs
from reportkit.load import load
from reportkit.resolve import resolve

LANG = "zh-Hant"
FILES = ("findings", "method")


# ------------------------------------------------------------------------------------------ helpers

class Project:
    """content/example copied into tmp/proj, with a list of paragraphs of our own at the top of the
    findings and method chapters (written as YAML double-quoted strings, so any text round-trips)."""

    def __init__(self, tmp: Path):
        self.folder = tmp / "proj" / "content" / "example"
        if self.folder.exists():
            shutil.rmtree(tmp / "proj")
        shutil.copytree(EXAMPLE, self.folder)
        self.root = tmp / "proj" / "locales"
        self.base = {f: (self.folder / f"{f}.yaml").read_text(encoding="utf-8") for f in FILES}
        self.paras = {f: [] for f in FILES}

    def write(self, name=None):
        for f in [name] if name else FILES:
            body = "".join(f"  - p: {json.dumps(p, ensure_ascii=False)}\n" for p in self.paras[f])
            (self.folder / f"{f}.yaml").write_text(self.base[f].replace("blocks:\n", "blocks:\n" + body, 1),
                                                   encoding="utf-8")

    def update(self):
        return update(resolve(load(self.folder)), LANG, self.root)

    def po(self, name) -> Path:
        return self.root / LANG / "example" / f"{name}.po"

    def check(self):
        return check_catalogs(resolve(load(self.folder)), LANG, self.root).items


def normalize(text: str) -> str:
    """The whitespace-only rule: texts with the same words and other whitespace are the same text."""
    return " ".join(text.split())


def set_msgstr(path: Path, msgid: str, msgstr: str, fuzzy=False):
    """A translator's edit, made with polib (a different PO writer than reportkit's)."""
    cat = polib.pofile(str(path), wrapwidth=79)
    e = cat.find(msgid)
    assert e is not None, msgid
    e.msgstr = msgstr
    if not fuzzy and "fuzzy" in e.flags:
        e.flags.remove("fuzzy")
        e.previous_msgid = None
    cat.save(str(path))


def msgfmt_check(path: Path):
    r = subprocess.run(["msgfmt", "--check-format", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def msgcat_same(path: Path):
    r = subprocess.run(["msgcat", "--force-po", str(path)], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == path.read_bytes(), f"{path} is not in GNU gettext's layout"


def entries(path: Path):
    """(msgid, msgstr, fuzzy, obsolete) of every entry, as polib reads it."""
    return [(e.msgid, e.msgstr, e.fuzzy, bool(e.obsolete)) for e in polib.pofile(str(path))]


LONG = ('The committee said "compute is the constraint", and the ministry\'s reply (filed under C:\\Policy\\2026) '
        'quoted the line "四兩撥千斤" twice: once in the summary, once in the annex. ' * 4).strip()


@pytest.fixture
def proj(tmp_path):
    return Project(tmp_path)


# ----------------------------------------------------------------------- the reported failure modes

def test_editing_a_long_paragraph_keeps_the_catalog_valid_and_shows_the_old_source(proj):
    proj.paras["findings"] = [LONG, "A short one."]
    proj.write()
    proj.update()
    po = proj.po("findings")
    set_msgstr(po, LONG, "長段落的譯文「引號」與 \\ 反斜線。")
    history = [LONG]
    for edit in (LONG.replace("twice", "two times"), LONG.replace("twice", "two times") + " A new closing line."):
        proj.paras["findings"][0] = edit
        proj.write()
        proj.update()
        msgfmt_check(po)
        msgcat_same(po)
        e = polib.pofile(str(po)).find(edit)
        assert e.fuzzy and e.msgstr == "長段落的譯文「引號」與 \\ 反斜線。"
        assert e.previous_msgid == history[0]  # the source its translation was made for, intact
        [unit] = [u for u in ttk_po.pofile.parsefile(str(po)).units if u.source == edit]
        assert unit.prev_source == history[0] and unit.isfuzzy()


def test_undoing_a_deletion_revives_the_translation(proj):
    proj.paras["findings"] = ["Keep this paragraph.", "Delete me, then bring me back."]
    proj.write()
    proj.update()
    po = proj.po("findings")
    set_msgstr(po, "Delete me, then bring me back.", "刪掉我，再把我找回來。")
    proj.paras["findings"].pop()
    proj.write()
    proj.update()
    assert ("Delete me, then bring me back.", "刪掉我，再把我找回來。", False, True) in entries(po)  # obsolete
    proj.paras["findings"].append("Delete me, then bring me back.")
    proj.write()
    proj.update()
    msgfmt_check(po)  # no "duplicate message definition"
    got = [e for e in entries(po) if e[0] == "Delete me, then bring me back."]
    assert got == [("Delete me, then bring me back.", "刪掉我，再把我找回來。", False, False)]
    entry = load_translations("example", LANG, proj.root).lookup("findings", "Delete me, then bring me back.")
    assert entry.string == "刪掉我，再把我找回來。" and not entry.fuzzy


def test_update_repairs_a_catalog_with_an_obsolete_duplicate(proj):
    """Catalogs written by the old merge hold the revived entry, untranslated, beside its obsolete copy."""
    proj.paras["findings"] = ["Deleted and restored."]
    proj.write()
    proj.update()
    po = proj.po("findings")
    po.write_text(po.read_text(encoding="utf-8") + '\n#~ msgid "Deleted and restored."\n#~ msgstr "刪除又恢復。"\n',
                  encoding="utf-8")
    proj.update()
    msgfmt_check(po)
    assert [e for e in entries(po) if e[0] == "Deleted and restored."] == [("Deleted and restored.", "刪除又恢復。", False, False)]


def test_identical_text_in_two_chapters_keeps_each_catalogs_translation(proj):
    same = "The same sentence appears in two chapters."
    proj.paras = {"findings": [same], "method": [same]}
    proj.write()
    proj.update()
    set_msgstr(proj.po("findings"), same, "研究結果章的譯法。")
    set_msgstr(proj.po("method"), same, "方法章的譯法。")
    t = load_translations("example", LANG, proj.root)
    assert t.lookup("findings", same).string == "研究結果章的譯法。"
    assert t.lookup("method", same).string == "方法章的譯法。"
    assert "method.po" in str(t.lookup("method", same).loc)
    assert t.get(same).string == "研究結果章的譯法。"  # .get: the first catalog
    proj.update()  # and a merge keeps both
    assert (same, "方法章的譯法。", False, False) in entries(proj.po("method"))
    assert (same, "研究結果章的譯法。", False, False) in entries(proj.po("findings"))
    # a catalog without a translation of its own borrows an identical text's from another one
    proj.paras["method"] = [same, "Other."]
    set_msgstr(proj.po("method"), same, "")
    assert load_translations("example", LANG, proj.root).lookup("method", same).string == "研究結果章的譯法。"


def test_written_catalogs_are_in_gnu_layout_and_idempotent(proj):
    proj.paras["findings"] = [LONG, "短 and \"quoted\" \\ text\nwith a newline inside."]
    proj.write()
    proj.update()
    for name in ("findings", "method", "summary", "report"):
        msgfmt_check(proj.po(name))
        msgcat_same(proj.po(name))
    before = {p: p.read_bytes() for p in proj.po("findings").parent.glob("*.po")}
    assert not any(changed for _, changed in proj.update())
    assert before == {p: p.read_bytes() for p in before}


def test_whitespace_only_edit_keeps_a_reviewed_translation_reviewed(proj):
    text = "Whitespace does not change what readers see."
    proj.paras["findings"] = [text]
    proj.write()
    proj.update()
    po = proj.po("findings")
    set_msgstr(po, text, "空白不改變讀者看到的內容。")
    spaced = text.replace("does not", "does  not").replace("what readers", "what\nreaders")
    proj.paras["findings"] = [spaced]
    proj.write()
    # the build matches it before `update` runs...
    assert load_translations("example", LANG, proj.root).lookup("findings", spaced).string == "空白不改變讀者看到的內容。"
    proj.update()
    # ...and after: the entry follows the text, still reviewed, with no old source to compare
    got = polib.pofile(str(po)).find(spaced)
    assert got.msgstr == "空白不改變讀者看到的內容。" and not got.fuzzy and got.previous_msgid is None
    assert text not in [e.msgid for e in polib.pofile(str(po))]
    # removing a space between words is an edit, not whitespace
    proj.paras["findings"] = [spaced.replace("does  not", "doesnot")]
    proj.write()
    proj.update()
    assert polib.pofile(str(po)).find(spaced.replace("does  not", "doesnot")).fuzzy


def test_undoing_an_edit_brings_the_translation_back_to_its_text(proj):
    text = "An edit that the author takes back."
    proj.paras["findings"] = [text]
    proj.write()
    proj.update()
    po = proj.po("findings")
    set_msgstr(po, text, "作者收回的修改。")
    proj.paras["findings"] = [text.replace("takes back", "regrets")]
    proj.write()
    proj.update()
    proj.paras["findings"] = [text]
    proj.write()
    proj.update()
    e = polib.pofile(str(po)).find(text)
    assert e.msgstr == "作者收回的修改。" and e.previous_msgid is None  # fuzzy still: a translator confirms it


def _diags(items, level):
    return [str(d) for d in items if d.level == level]


def test_check_reports_empty_catalog_and_edited_msgid_with_line(proj):
    proj.paras["findings"] = ["A translator must not edit this msgid."]
    proj.write()
    proj.update()
    po = proj.po("findings")
    text = po.read_text(encoding="utf-8")
    line = text[:text.index('msgid "A translator must not edit')].count("\n") + 1
    po.write_text(text.replace('msgid "A translator must not edit', 'msgid "A translator did edit'), encoding="utf-8")
    warnings = _diags(proj.check(), "warning")
    assert any(f"findings.po:{line}:" in w and "msgid matches no text" in w for w in warnings), warnings
    method = proj.po("method")
    method.write_text("", encoding="utf-8")  # an emptied catalog
    items = proj.check()
    assert any("method.po:" in d and "empty catalog" in d for d in _diags(items, "warning") + _diags(items, "error")), items
    method.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")  # header only
    assert any("method.po:1:" in w and "empty catalog" in w for w in _diags(proj.check(), "warning"))


def test_fuzzy_entry_with_outdated_markup_only_warns(proj):
    src = "A claim with a note.[^n-data]"
    proj.paras["findings"] = [src]
    proj.write()
    proj.update()
    po = proj.po("findings")
    set_msgstr(po, src, "附註的主張。[^n-data]")
    proj.paras["findings"] = ["A claim with a note and a reference to [@tab-results].[^n-data]"]
    proj.write()
    proj.update()
    e = polib.pofile(str(po)).find(proj.paras["findings"][0])
    assert e.fuzzy  # its translation lacks the new [@tab-results]: the build prints the source instead
    items = [d for d in proj.check() if "findings.po" in str(d)]
    assert not _diags(items, "error"), items
    assert any("fuzzy" in w and "[@tab-results]" in w for w in _diags(items, "warning")), items
    # reviewed with the markup still outdated, it is an error
    set_msgstr(po, proj.paras["findings"][0], "附註的主張。[^n-data]")
    assert any("[@tab-results]" in e for e in _diags(proj.check(), "error"))


# ------------------------------------------------------------------------- stateful property test

_WORDS = ["policy", "compute", "chips", "Taiwan", "the", "a", "export", "controls", "talent", "grid", "ministry",
          '"quoted"', "'single'", "C:\\Users\\x", "back\\slash", "四兩撥千斤", "算力", "晶片，", "政策。", "50%", "(2026)",
          "tab\there", "—", "über", "naïve", "x:y;z"]


def _sentence(rnd: random.Random, n: int) -> str:
    text = " ".join(rnd.choice(_WORDS) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def short_text(rnd):
    return _sentence(rnd, rnd.randint(2, 8))


def long_text(rnd):
    out = ""
    while len(out) < rnd.randint(300, 880):
        out += _sentence(rnd, rnd.randint(6, 16)) + " "
    return out.strip()[:900].rstrip(" \\") + "."


class CatalogLifecycle(RuleBasedStateMachine):
    """Content edits, translator edits and `i18n update`, checked against a model of which source text
    each translation was made for."""

    def __init__(self):
        super().__init__()
        import tempfile

        self.tmp = Path(tempfile.mkdtemp(prefix="lifecycle-"))
        self.proj = Project(self.tmp)
        self.history = {f: [] for f in FILES}  # earlier versions of each file's paragraphs
        self.made_for: dict[str, tuple[str, str]] = {}  # translation -> (catalog, source it was made for)
        self.replaced: set[str] = set()  # translations a translator overwrote
        self.seen: set[str] = set()  # every text ever written
        self.counter = 0
        self.touched: set[str] = set()  # catalogs a translator saved (polib layout) since the last update
        self.deleted: list = []  # (file, index, text) of deleted paragraphs, for undo_delete
        self.last_edit: dict = {}  # file -> the text its last `edit` wrote

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- content edits
    def _edit(self, f, change, then_update=False):
        self.history[f].append(list(self.proj.paras[f]))
        change(self.proj.paras[f])
        self.seen.update(self.proj.paras[f])
        self.proj.write(f)
        if then_update:  # (half of the edits are merged at once, so that histories of merges get long)
            self.run_update()

    @initialize(seed=st.integers(0, 10**6))
    def start(self, seed):
        rnd = random.Random(seed)
        self.proj.paras = {"findings": [short_text(rnd), long_text(rnd)], "method": [long_text(rnd), short_text(rnd)]}
        self.seen.update(p for ps in self.proj.paras.values() for p in ps)
        self.proj.write()
        self.proj.update()
        for f in FILES:  # every paragraph starts translated
            for k in range(len(self.proj.paras[f])):
                self.translate(f, k, 1)
        self.run_update()

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 20), seed=st.integers(0, 10**6), long=st.booleans(), u=st.booleans(),
          again=st.booleans(), times=st.integers(1, 3))
    def edit(self, f, i, seed, long, u, again, times):
        """Edit a paragraph (`times` revisions in a row, merged in between: the entry is fuzzy already)."""
        rnd = random.Random(seed)

        def change(ps):
            if not ps:
                return
            k = i % len(ps)
            if again and self.last_edit.get(f) in ps:  # the same paragraph once more (an entry already fuzzy)
                k = ps.index(self.last_edit[f])
            words = ps[k].split(" ")
            if long or rnd.random() < 0.5:  # a small edit of the words (a fuzzy match)
                words.insert(rnd.randrange(len(words) + 1), rnd.choice(_WORDS))
                ps[k] = " ".join(words)
            else:  # rewritten
                ps[k] = long_text(rnd) if len(ps[k]) > 200 else short_text(rnd)
            self.last_edit[f] = ps[k]
        for n in range(times):
            self._edit(f, change, u or n < times - 1)
            again = True

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 20), seed=st.integers(0, 10**6), long=st.booleans(), u=st.booleans())
    def insert(self, f, i, seed, long, u):
        rnd = random.Random(seed)
        self._edit(f, lambda ps: ps.insert(i % (len(ps) + 1), long_text(rnd) if long else short_text(rnd)), u)

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 20), u=st.booleans())
    def delete(self, f, i, u):
        def change(ps):
            if ps:
                k = i % len(ps)
                self.deleted.append((f, k, ps.pop(k)))
        self._edit(f, change, u)

    @precondition(lambda self: self.deleted)
    @rule(u=st.booleans())
    def undo_delete(self, u):
        f, k, text = self.deleted.pop()
        self._edit(f, lambda ps: ps.insert(min(k, len(ps)), text), u)

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 20), j=st.integers(0, 20), u=st.booleans())
    def move(self, f, i, j, u):
        def change(ps):
            if ps:
                ps.insert(j % len(ps), ps.pop(i % len(ps)))
        self._edit(f, change, u)

    @rule(f=st.sampled_from(FILES), back=st.integers(1, 4), u=st.booleans())
    def undo(self, f, back, u):
        if self.history[f]:
            version = self.history[f][-min(back, len(self.history[f]))]
            self._edit(f, lambda ps: ps.__setitem__(slice(None), version), u)

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 20), how=st.sampled_from(["  ", "\n", " \n "]), u=st.booleans())
    def whitespace(self, f, i, how, u):
        def change(ps):
            if ps and " " in ps[i % len(ps)]:
                k = i % len(ps)
                pos = [n for n, c in enumerate(ps[k]) if c == " "][i % ps[k].count(" ")]
                ps[k] = ps[k][:pos] + how + ps[k][pos + 1:]
        self._edit(f, change, u)

    @rule(i=st.integers(0, 20), to_method=st.booleans(), u=st.booleans())
    def duplicate(self, i, to_method, u):
        src, dst = ("findings", "method") if to_method else ("method", "findings")
        if self.proj.paras[src]:
            text = self.proj.paras[src][i % len(self.proj.paras[src])]
            self._edit(dst, lambda ps: ps.insert(0, text), u)

    # -- translator edits (with polib, the way another PO tool writes)
    def _active(self, f, pred):
        path = self.proj.po(f)
        return [e for e in polib.pofile(str(path)) if not e.obsolete and e.msgid and pred(e)] if path.is_file() else []

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 50), any_entry=st.integers(0, 4))
    def translate(self, f, i, any_entry):
        ours = set(self.proj.paras[f])  # mostly our paragraphs (the example's own texts never change)
        found = self._active(f, lambda e: any_entry == 0 or e.msgid in ours or e.fuzzy)
        if not found:
            return
        e = found[i % len(found)]
        self.counter += 1
        token = f"譯文{self.counter}：「{e.msgid[:12]}」\\ \"引\""
        if e.msgstr:
            self.replaced.add(e.msgstr)
        set_msgstr(self.proj.po(f), e.msgid, token)
        self.made_for[token] = (f, e.msgid)
        self.touched.add(f)

    @rule(f=st.sampled_from(FILES), i=st.integers(0, 50))
    def approve(self, f, i):
        found = self._active(f, lambda e: e.fuzzy and e.msgstr)
        if found:
            e = found[i % len(found)]
            set_msgstr(self.proj.po(f), e.msgid, e.msgstr)  # clears fuzzy: now made for this text
            self.made_for[e.msgstr] = (f, e.msgid)
            self.touched.add(f)

    @rule(which=st.sampled_from(["none", "forbid", "concept", "both"]))
    def glossary(self, which):
        """The terminologist edits the termbase: forbid a word the translations use, or agree a term for
        an English word the paragraphs use (their translations lack it), or both, or none."""
        concepts = []
        if which in ("forbid", "both"):
            concepts.append("  - id: translation\n    en: [translation]\n    zh-Hant: [翻譯]\n    forbidden: {zh-Hant: [譯文]}\n")
        if which in ("concept", "both"):
            concepts.append("  - id: export-controls\n    en: [export controls]\n    zh-Hant: [出口管制]\n")
        path = self.proj.root / LANG / "glossary.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("concepts:\n" + "".join(concepts) if concepts else "concepts: []\n", encoding="utf-8")

    @rule()
    def run_update(self):
        before = {f: polib.pofile(str(self.proj.po(f))) for f in FILES if self.proj.po(f).is_file()}
        self.proj.update()
        self.touched.clear()
        for f, old in before.items():  # what the merge had to do, for --hypothesis-show-statistics
            new = {e.msgid: e for e in polib.pofile(str(self.proj.po(f))) if not e.obsolete}
            for e in old:
                if e.obsolete and e.msgid in new:
                    event("revived an obsolete entry")
                elif not e.obsolete and e.fuzzy and e.msgstr and e.msgid not in new:
                    event("moved a fuzzy entry again")
                elif not e.obsolete and e.msgstr and not e.fuzzy and e.msgid not in new:
                    event("a reviewed translation left its text")

    # -- invariants
    @invariant()
    def catalogs_are_valid_and_read_alike(self):
        for f in FILES + ("summary", "report"):
            path = self.proj.po(f)
            msgfmt_check(path)
            if f not in self.touched:
                msgcat_same(path)
            pol = polib.pofile(str(path))
            ttk = [u for u in ttk_po.pofile.parsefile(str(path)).units if not u.isheader()]
            assert [(e.msgid, e.msgstr, e.fuzzy, bool(e.obsolete)) for e in pol] == \
                   [(u.source, u.target, u.isfuzzy(), u.isobsolete()) for u in ttk]
            for e, u in zip(pol, ttk):
                if e.previous_msgid is not None:
                    assert e.previous_msgid == u.prev_source

    @invariant()
    def translations_stay_with_their_text(self):
        shown: dict[str, int] = {}
        for f in FILES:
            for u in ttk_po.pofile.parsefile(str(self.proj.po(f))).units:
                if u.isheader() or not u.target or u.target not in self.made_for:
                    assert u.isheader() or not u.target, f"a translation nobody made: {u.target!r}"
                    continue
                catalog, source = self.made_for[u.target]
                assert catalog == f, "a translation moved to another catalog"
                assert u.target not in self.replaced
                shown[u.target] = shown.get(u.target, 0) + 1
                prev = u.prev_source or None
                if normalize(u.source) != normalize(source) and not u.isobsolete():
                    # shown for other text: only as a fuzzy entry that names the text it was made for.
                    # (An obsolete entry is shown to nobody; polib, the translator's tool here, drops
                    # the `#~|` previous msgid of obsolete entries when it saves a catalog.)
                    assert u.isfuzzy() and prev is not None and normalize(prev) == normalize(source), \
                        (u.source, u.target, prev, source)
                if prev is not None:
                    assert prev != u.source, "a previous msgid that shows no change"
                    assert prev in self.seen or any(prev == s for _, s in self.made_for.values())  # intact
        live = {t for t in self.made_for if t not in self.replaced}
        assert {t: n for t, n in shown.items() if n != 1} == {}, "a translation shown twice"
        assert live - set(shown) == set(), "a translation was lost"

    @invariant()
    def check_finds_the_same_with_its_cache_as_without(self):
        """`check` keeps each catalog's findings in the cache under everything they depend on: whatever
        the history, what it says equals what a check without any cache says."""
        from reportkit import cache

        warm = [str(d) for d in self.proj.check()]
        cache.set_enabled(False)
        try:
            cold = [str(d) for d in self.proj.check()]
        finally:
            cache.set_enabled(True)  # (False set REPORTKIT_NO_CACHE, which True takes away)
            cache.set_enabled(None)
        assert warm == cold
        if any("termbase" in d for d in cold):
            event("check found termbase problems")

    @invariant()
    def each_catalog_keeps_its_own_translation(self):
        t = load_translations("example", LANG, self.proj.root)
        for f in FILES:
            for e in polib.pofile(str(self.proj.po(f))):
                if not e.obsolete and e.msgid and e.msgstr and not e.fuzzy:
                    got = t.lookup(f, e.msgid)
                    assert got.string == e.msgstr and f"{f}.po" in str(got.loc)


CatalogLifecycle.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None,
                                              suppress_health_check=[HealthCheck.too_slow])
TestCatalogLifecycle = CatalogLifecycle.TestCase
