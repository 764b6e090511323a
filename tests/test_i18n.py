"""Translation workflow round trips on the example report: extract, translate, edit the source, update."""
import shutil
import subprocess

from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE
from reportkit.build import BuildOptions, build
from reportkit.errors import ReportError
from reportkit.i18n.catalog import update
from reportkit.i18n.check import check_catalogs
from reportkit.load import load
from reportkit.resolve import resolve


def po_path(report):
    return report.parent.parent / "locales" / "zh-Hant" / "example" / "findings.po"


def read(path):
    with path.open("rb") as f:
        return read_po(f)


def translate(path, mapping):
    text = path.read_text()
    for src, dst in mapping.items():
        needle = f'msgid "{src}"\nmsgstr ""'
        assert needle in text, src
        text = text.replace(needle, f'msgid "{src}"\nmsgstr "{dst}"')
    path.write_text(text)


def resolved(folder):
    return resolve(load(folder))


def test_update_creates_then_is_idempotent(example_copy):
    update(resolved(example_copy), "zh-Hant")
    before = {p: p.read_bytes() for p in po_path(example_copy).parent.glob("*.po")}
    changed = [p for p, c in update(resolved(example_copy), "zh-Hant") if c]
    assert changed == [] and all(p.read_bytes() == b for p, b in before.items())
    r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_path(example_copy))], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_edit_insert_delete_reorder_keep_translations_attached(example_copy):
    update(resolved(example_copy), "zh-Hant")
    po = po_path(example_copy)
    translate(po, {"We publish once and print everywhere.": "我們出版一次，處處印行。",
                   "Results by group": "各組結果",
                   "First wave": "第一波",
                   "Spans two columns": "橫跨兩欄"})
    po.write_text(po.read_text().replace('msgid "Results by group"', '# translator: keep it short\nmsgid "Results by group"'))
    f = example_copy / "findings.yaml"
    text = f.read_text()
    text = text.replace("We publish once and print everywhere.", "We publish once and print it everywhere.")  # edit
    text = text.replace("      caption: Results by group", "      caption: Results by group")
    text = text.replace("  - pullquote:", "  - p: A new paragraph inserted here.\n  - pullquote:")  # insert
    text = text.replace("        - group: First wave\n", "")
    text = text.replace('{text: "Spans two columns", colspan: 2}', '{text: "Two columns", colspan: 2}')
    text = text.replace("        - group: Second wave\n", "        - group: Second wave\n        - group: First wave\n")  # move
    f.write_text(text)
    update(resolved(example_copy), "zh-Hant")
    cat = read(po)
    edited = cat["We publish once and print it everywhere."]
    assert edited.fuzzy and edited.string == "我們出版一次，處處印行。"
    assert '#| msgid "We publish once and print everywhere."' in po.read_text()  # the old source shown
    assert cat["Results by group"].string == "各組結果" and not cat["Results by group"].fuzzy
    assert "translator: keep it short" in cat["Results by group"].user_comments[0]
    assert cat["First wave"].string == "第一波"  # moved, still attached
    assert cat["A new paragraph inserted here."].string == ""
    # a translated text whose source is gone is kept: fuzzy on its successor, or obsolete (#~), never lost
    assert "橫跨兩欄" in po.read_text()
    again = po.read_bytes()
    update(resolved(example_copy), "zh-Hant")
    assert po.read_bytes() == again


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["edit", "insert", "delete", "swap"]), st.integers(0, 4)), min_size=1, max_size=5))
def test_random_edit_sequences_never_misattach(tmp_path_factory, ops):
    proj = tmp_path_factory.mktemp("p") / "content" / "example"
    shutil.copytree(EXAMPLE, proj)
    paras = [f"Paragraph number {i} of the findings." for i in range(5)]

    def write():
        body = "".join(f"  - p: {p}\n" for p in paras)
        (proj / "findings.yaml").write_text(
            (EXAMPLE / "findings.yaml").read_text().replace("blocks:\n", "blocks:\n" + body, 1))

    write()
    update(resolve(load(proj)), "zh-Hant")
    po = proj.parent.parent / "locales" / "zh-Hant" / "example" / "findings.po"
    translate(po, {p: "譯：" + p for p in paras})
    for op, i in ops:
        i = i % max(len(paras), 1)
        if op == "edit" and paras:
            paras[i] = paras[i].replace("findings", "results")
        elif op == "insert":
            paras.insert(i, f"Inserted paragraph {len(paras)} {i}.")
        elif op == "delete" and paras:
            paras.pop(i)
        elif op == "swap" and len(paras) > 1:
            j = (i + 1) % len(paras)
            paras[i], paras[j] = paras[j], paras[i]
        write()
        update(resolve(load(proj)), "zh-Hant")
    cat = read(po)
    for p in paras:
        msg = cat[p]
        if msg.string and not msg.fuzzy:
            assert msg.string == "譯：" + p  # an exact (non-fuzzy) translation always belongs to its own text


def test_placeholder_breaking_translation_is_caught_with_line(example_copy):
    update(resolved(example_copy), "zh-Hant")
    po = example_copy.parent.parent / "locales" / "zh-Hant" / "example" / "summary.po"
    text = po.read_text()
    assert "[^n-first]" in text.replace('"\n"', "")  # (GNU wraps long lines: join them)
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith("msgid") and "This summary" in "".join(lines[k:k + 3]))
    j = next(k for k in range(i, len(lines)) if lines[k].startswith("msgstr"))
    lines[j] = 'msgstr "本摘要預覽 [@sec-data] 與 [@tab-results]，並附註。"'  # note dropped
    po.write_text("\n".join(lines) + "\n")
    items = check_catalogs(resolved(example_copy), "zh-Hant", example_copy.parent.parent / "locales").items
    errors = [str(d) for d in items if d.level == "error"]
    assert any(f"summary.po:{i + 1}:" in e and "missing [^n-first]" in e for e in errors), errors
    # and such a catalog never reaches a built edition
    try:
        build(example_copy, BuildOptions(out=example_copy.parent / "b", langs=["zh-Hant"]))
        raise AssertionError("build accepted a broken translation")
    except ReportError as e:
        assert "missing [^n-first]" in str(e)


def test_built_edition_uses_translation_and_counts_fallback(example_copy):
    update(resolved(example_copy), "zh-Hant")
    translate(po_path(example_copy), {"Results by group": "各組結果"})
    out = example_copy.parent / "b"
    r = build(example_copy, BuildOptions(out=out, langs=["zh-Hant"], formats=("html",)))
    html = (out / "example" / "example.zh-Hant.html").read_text()
    assert "各組結果" in html and '<html lang="zh-Hant">' in html and "表 1</span>\u3000各組結果" in html and "2026年3月" in html
    stats = r.artifacts[0].translation
    assert stats["translated"] == 1 and stats["fallback"] == stats["units"] - 1
    try:
        build(example_copy, BuildOptions(out=out, langs=["zh-Hant"], formats=("html",), release=True, allow_placeholders=True))
        raise AssertionError("--release accepted an untranslated edition")
    except ReportError as e:
        assert "below the required 100%" in str(e)


def test_invalid_po_syntax_names_line(example_copy):
    update(resolved(example_copy), "zh-Hant")
    po = po_path(example_copy)
    lines = po.read_text().splitlines()
    broken = next(i for i, l in enumerate(lines) if l.startswith('msgid "Results by group"'))
    lines[broken] = 'msgid Results by group"'  # a lost quote: Babel's reader would skip the entry silently
    po.write_text("\n".join(lines) + "\n")
    items = check_catalogs(resolved(example_copy), "zh-Hant", example_copy.parent.parent / "locales").items
    assert any(str(d).startswith(f"{po}:{broken + 1}:") and "invalid PO syntax" in str(d) for d in items), items
    try:
        build(example_copy, BuildOptions(out=example_copy.parent / "b", langs=["zh-Hant"]))
        raise AssertionError("build used a broken catalog")
    except ReportError as e:
        assert "invalid PO syntax" in str(e)
    before = po.read_bytes()
    try:
        update(resolved(example_copy), "zh-Hant")
        raise AssertionError("update merged a broken catalog")
    except ReportError:
        assert po.read_bytes() == before  # nothing rewritten, no translation lost
