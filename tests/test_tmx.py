"""Translation memory: TMX export of the flagship, then pre-translating empty catalogs from it."""
import shutil
import subprocess

import pytest

from conftest import FLAGSHIP, ROOT
from reportkit.i18n import po as pofile
from reportkit.i18n.catalog import update
from reportkit.i18n.tmx import export, pretranslate
from reportkit.load import load
from reportkit.resolve import resolve


@pytest.fixture
def project(tmp_path):
    proj = tmp_path / "proj"
    shutil.copytree(FLAGSHIP, proj / "content" / "four-ounces")
    shutil.copytree(ROOT / "locales", proj / "locales")
    return proj


def reviewed(folder):
    return {(p.stem, e.msgid): e.msgstr for p in sorted(folder.glob("*.po"))
            for e in pofile.parse(p.read_text()).active if e.msgid and e.msgstr and not e.fuzzy}


def test_export_is_reproducible_tmx14_read_by_an_independent_reader(project, tmp_path):
    from translate.storage import tmx

    root = project / "locales"
    text = export(root)
    assert text == export(root)  # no clock in it
    assert '<tmx version="1.4">' in text and 'srclang="en"' in text and 'creationdate="20260401T000000Z"' in text
    path = tmp_path / "m.tmx"
    path.write_text(text)
    units = tmx.tmxfile(path.open("rb")).units
    assert len(units) == len(reviewed(root / "zh-Hant" / "four-ounces"))
    assert any(u.source == "Models" and u.target == "模型" for u in units)


def test_pretranslate_empty_catalogs_from_the_memory(project, tmp_path):
    root = project / "locales"
    memory = tmp_path / "m.tmx"
    memory.write_text(export(root))
    folder = root / "zh-Hant" / "four-ounces"
    want = reviewed(folder)
    shutil.rmtree(folder)
    resolved = resolve(load(project / "content" / "four-ounces"))
    update(resolved, "zh-Hant", root)  # empty catalogs
    assert reviewed(folder) == {}
    result = pretranslate("four-ounces", "zh-Hant", root, memory)
    assert sum(exact for _, _, exact, _ in result) == len(want)
    assert reviewed(folder) == want  # every exact in-context match filled, as translated
    for p in folder.glob("*.po"):
        r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(p)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def test_exact_match_from_another_catalog_is_fuzzy_and_translations_are_never_overwritten(project, tmp_path):
    root = project / "locales"
    folder = root / "zh-Hant" / "four-ounces"
    memory = tmp_path / "m.tmx"
    memory.write_text(export(root).replace("four-ounces/ch2-2-models<", "other-report/somewhere<"))
    po = folder / "ch2-2-models.po"
    cat = pofile.parse(po.read_text())
    models = next(e for e in cat.active if e.msgid == "Models")
    models.msgstr = ""
    kept = next(e for e in cat.active if e.msgid and e.msgstr and e.msgid != "Models")
    kept_before = kept.msgstr
    po.write_bytes(pofile.dump(cat))
    pretranslate("four-ounces", "zh-Hant", root, memory)
    after = {e.msgid: e for e in pofile.parse(po.read_text()).active}
    assert after["Models"].msgstr == "模型" and after["Models"].fuzzy  # same words, another place: to confirm
    assert after[kept.msgid].msgstr == kept_before
