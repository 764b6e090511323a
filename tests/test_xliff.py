"""XLIFF 2.0 round trips on the flagship's real catalogs: identity, a changed target, refused codes."""
import re
import shutil
import subprocess

import pytest

from conftest import FLAGSHIP, ROOT
from reportkit.errors import ReportError
from reportkit.i18n import po as pofile
from reportkit.i18n.xliff import NS, export, import_file, unit_id


@pytest.fixture
def project(tmp_path):
    """A private copy of the flagship with its locales (catalogs, templates, termbase)."""
    proj = tmp_path / "proj"
    shutil.copytree(FLAGSHIP, proj / "content" / "four-ounces")
    shutil.copytree(ROOT / "locales", proj / "locales")
    return proj


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def entry(path, start):
    return next(e for e in pofile.parse(path.read_text()).active if e.msgid.startswith(start))


def test_export_then_import_changes_nothing(project, tmp_path):
    root = project / "locales"
    xlf = tmp_path / "fo.xlf"
    xlf.write_text(export("four-ounces", "zh-Hant", root))
    before = snapshot(root)
    import_file(xlf, root)
    assert snapshot(root) == before  # byte for byte
    assert export("four-ounces", "zh-Hant", root) == xlf.read_text()  # and the export is reproducible


def test_export_is_valid_xliff2_for_an_independent_reader(project, tmp_path):
    from translate.storage import xliff2

    root = project / "locales"
    data = export("four-ounces", "zh-Hant", root).encode()
    assert check_structure(data) == []
    units = xliff2.Xliff2File.parsestring(data).units
    entries = [e for p in sorted((root / "zh-Hant" / "four-ounces").glob("*.po"))
               for e in pofile.parse(p.read_text()).active if e.msgid]
    assert len(units) == len(entries)
    ids = [u.getid() for u in units]
    assert len(set(ids)) == len(ids)
    # inline codes: the note marker is a <ph> whose original data is the reportkit marker
    text = data.decode()
    assert '<data id="d1">[^n1]</data>' in text and '<ph id="1" dataRef="d1"' in text
    assert "[^n1]" not in re.sub(r"<data[^>]*>.*?</data>|disp=\"[^\"]*\"", "", text)  # never in text


def test_unit_ids_are_stable_hashes(project):
    root = project / "locales"
    text = export("four-ounces", "zh-Hant", root)
    assert f'<unit id="{unit_id("ch2-2-models", "Models")}">' in text


def _retarget(xlf, uid, new_target, state=None):
    text = xlf.read_text()
    start = text.index(f'<unit id="{uid}">')
    end = text.index("</unit>", start)
    unit = text[start:end]
    unit = re.sub(r"<target xml:space=\"preserve\">.*?</target>", lambda m: f'<target xml:space="preserve">{new_target}</target>',
                  unit, flags=re.S)
    if state:
        unit = re.sub(r'state="[a-z]+"', f'state="{state}"', unit)
    xlf.write_text(text[:start] + unit + text[end:])


def test_changed_target_lands_in_its_entry_and_state_maps_to_fuzzy(project, tmp_path):
    root = project / "locales"
    po = root / "zh-Hant" / "four-ounces" / "ch2-4-infrastructure.po"
    e = entry(po, "On the compute demand side")
    uid = unit_id("ch2-4-infrastructure", e.msgid)
    xlf = tmp_path / "fo.xlf"
    xlf.write_text(export("four-ounces", "zh-Hant", root))
    text = xlf.read_text()
    body = re.search(f'<unit id="{uid}">.*?<target xml:space="preserve">(.*?)</target>', text, re.S).group(1)
    assert body.endswith('<ph id="1" dataRef="d1" disp="[^n126]" canCopy="no" canDelete="no"/>')
    _retarget(xlf, uid, "新的譯文，110 萬美元。" + body[body.index("<ph"):], state="translated")
    others = snapshot(root)
    import_file(xlf, root)
    got = entry(po, "On the compute demand side")
    assert got.msgstr == "新的譯文，110 萬美元。[^n126]" and got.fuzzy
    changed = [p for p, b in snapshot(root).items() if b != others[p]]
    assert changed == [po.relative_to(root)]  # nothing else moved
    r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # reviewed in the CAT tool: the same text becomes a translated (not fuzzy) entry
    xlf.write_text(export("four-ounces", "zh-Hant", root))
    text = xlf.read_text()
    xlf.write_text(text.replace(f'<unit id="{uid}">', f'<unit id="{uid}">', 1))
    _retarget(xlf, uid, "新的譯文，110 萬美元。" + body[body.index("<ph"):], state="reviewed")
    import_file(xlf, root)
    assert not entry(po, "On the compute demand side").fuzzy


def test_target_with_a_missing_or_broken_note_marker_is_refused(project, tmp_path):
    root = project / "locales"
    po = root / "zh-Hant" / "four-ounces" / "ch2-4-infrastructure.po"
    uid = unit_id("ch2-4-infrastructure", entry(po, "On the compute demand side").msgid)
    xlf = tmp_path / "fo.xlf"
    before = snapshot(root)
    for bad in ["沒有註腳標記的譯文。",  # the <ph> deleted
                "譯文。[^n126]",  # typed as text instead of the code
                '譯文。<ph id="9" dataRef="d1"/>']:  # a code the source does not have
        xlf.write_text(export("four-ounces", "zh-Hant", root))
        _retarget(xlf, uid, bad)
        with pytest.raises(ReportError) as err:
            import_file(xlf, root)
        message = str(err.value.diagnostics[0].message)
        assert uid in message and "\n" not in message
        assert snapshot(root) == before  # nothing written


def test_paired_codes_round_trip_to_markup(project, tmp_path):
    """Emphasis and a language span (pc) come back as reportkit markup in the PO entry."""
    root = project / "locales"
    po = root / "zh-Hant" / "four-ounces" / "ch1-introduction.po"
    e = entry(po, "On Fighting, attributed to Wang Zongyue")
    uid = unit_id("ch1-introduction", e.msgid)
    xlf = tmp_path / "fo.xlf"
    xlf.write_text(export("four-ounces", "zh-Hant", root))
    # the zh-Hant span may be dropped in a zh-Hant translation (canDelete), or kept
    _retarget(xlf, uid, '<pc id="1" dataRefStart="d1s" dataRefEnd="d1e">《打手歌》</pc>，相傳為王宗岳所作', state="reviewed")
    import_file(xlf, root)
    assert entry(po, "On Fighting").msgstr == "[《打手歌》]{lang=zh-Hant}，相傳為王宗岳所作"


def test_cli_export_import_and_refusal(project, tmp_path):
    import sys

    xlf = tmp_path / "fo.xlf"
    run = lambda *args: subprocess.run([sys.executable, "-m", "reportkit", "--project", str(project), "i18n", *args],
                                       capture_output=True, text=True, cwd=project)
    r = run("export-xliff", "content/four-ounces", "--lang", "zh-Hant", "-o", str(xlf))
    assert r.returncode == 0, r.stderr
    before = snapshot(project / "locales")
    r = run("import-xliff", str(xlf), "content/four-ounces")
    assert r.returncode == 0, r.stderr
    assert snapshot(project / "locales") == before
    xlf.write_text(xlf.read_text().replace('<ph id="1" dataRef="d1" disp="[^n126]" canCopy="no" canDelete="no"/></target>',
                                           "</target>", 1))
    r = run("import-xliff", str(xlf), "content/four-ounces")
    assert r.returncode == 1
    [line] = [x for x in (r.stdout + r.stderr).splitlines() if "error" in x]
    assert "unit u" in line and "missing [^n126]" in line


def test_a_failed_export_leaves_the_old_file_whole(project, tmp_path, monkeypatch, capsys):
    """A full disk in the middle of `i18n export-xliff -o FILE`: one line, exit 1, the previous export intact."""
    import errno
    import os

    from reportkit import artifacts
    from reportkit.cli import main

    xlf = tmp_path / "fo.xlf"
    xlf.write_text("the previous export\n")

    def half_then_full(fd, data):
        os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(artifacts, "_write_fd", half_then_full)
    monkeypatch.chdir(project)
    rc = main(["i18n", "export-xliff", "content/four-ounces", "--lang", "zh-Hant", "-o", str(xlf)])
    err = capsys.readouterr().err
    assert rc == 1 and "No space left on device" in err and "Traceback" not in err
    assert xlf.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


_X = "{" + NS + "}"


def check_structure(data: bytes) -> list[str]:
    """Structural checks of an XLIFF 2.0 document (the OASIS schema is not at hand here): root,
    version, languages, file/unit ids unique, unit content order, every code's dataRef resolvable,
    source and target with the same code ids. Returns problems (empty = valid)."""
    from lxml import etree

    doc = etree.fromstring(data)
    out = []
    if doc.tag != _X + "xliff" or doc.get("version") != "2.0" or not doc.get("srcLang"):
        out.append("root is not <xliff version=\"2.0\" srcLang=...> in the 2.0 namespace")
    fids = [f.get("id") for f in doc.findall(_X + "file")]
    if len(fids) != len(set(fids)) or not all(fids):
        out.append("file ids missing or not unique")
    for f in doc.findall(_X + "file"):
        units = f.findall(_X + "unit")
        if not units:
            out.append(f"file {f.get('id')} has no unit")
        uids = [u.get("id") for u in units]
        if len(uids) != len(set(uids)):
            out.append(f"file {f.get('id')}: unit ids not unique")
        for u in units:
            order = [c.tag.replace(_X, "") for c in u]
            rank = {"notes": 0, "originalData": 1, "segment": 2, "ignorable": 2}
            if [rank.get(t, -1) for t in order] != sorted(rank.get(t, -1) for t in order) or -1 in [rank.get(t, -1) for t in order]:
                out.append(f"unit {u.get('id')}: children out of order: {order}")
            data_ids = {d.get("id") for d in u.iter(_X + "data")}
            for seg in u.findall(_X + "segment"):
                if seg.get("state") not in (None, "initial", "translated", "reviewed", "final"):
                    out.append(f"unit {u.get('id')}: bad state {seg.get('state')}")
                ids = {}
                for part in ("source", "target"):
                    el = seg.find(_X + part)
                    if el is None:
                        continue
                    ids[part] = sorted(c.get("id") for c in el.iter(_X + "ph", _X + "pc"))
                    for c in el.iter(_X + "ph", _X + "pc"):
                        for attr in ("dataRef", "dataRefStart", "dataRefEnd"):
                            if c.get(attr) is not None and c.get(attr) not in data_ids:
                                out.append(f"unit {u.get('id')}: {attr}={c.get(attr)} has no <data>")
                if seg.find(_X + "source") is None:
                    out.append(f"unit {u.get('id')}: segment without source")
                if seg.get("state") in ("translated", "reviewed", "final") and seg.find(_X + "target") is None:
                    out.append(f"unit {u.get('id')}: state {seg.get('state')} without a target")
    return out
