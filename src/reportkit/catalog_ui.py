"""reportkit's own interface strings (Table, Figure, Contents...), one gettext catalog per language.

The .po files under reportkit/locale are compiled in memory with Babel on first use.
"""
from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"


@functools.lru_cache(maxsize=None)
def translations(gettext_code: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for code in (gettext_code, gettext_code.split("_")[0]):
        po = LOCALE_DIR / code / "LC_MESSAGES" / "reportkit.po"
        if po.is_file():
            with po.open("rb") as f:
                catalog = read_po(f, locale=code.replace("-", "_"))
            buf = io.BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            return gettext.GNUTranslations(buf)
    return gettext.NullTranslations()


def interface_catalog(gettext_code: str) -> Path | None:
    """The reportkit.po that `translations` would read for this language (or its base language), if any."""
    for code in (gettext_code, gettext_code.split("_")[0]):
        po = LOCALE_DIR / code / "LC_MESSAGES" / "reportkit.po"
        if po.is_file():
            return po
    return None


def missing_interface_words(gettext_code: str) -> list[str]:
    """The interface words (ui_strings.py) an edition in this language would print in English.

    English needs no catalog (the words are written in English); any other language needs
    locale/<code>/LC_MESSAGES/reportkit.po with every word translated."""
    from .ui_strings import LABELS, WORDS

    if gettext_code.split("_")[0] == "en":
        return []
    words = list(LABELS.values()) + list(WORDS)
    if interface_catalog(gettext_code) is None:
        return words
    t = translations(gettext_code)
    return [w for w in words if t.gettext(w) == w]


def interface_words_problem(bcp47: str, gettext_code: str, level: str = "warning"):
    """A Diagnostic when an edition in this language would print interface words in English, else None.
    It names the file to create and the template to start from."""
    from .errors import Diagnostic, Loc

    missing = missing_interface_words(gettext_code)
    if not missing:
        return None
    have = interface_catalog(gettext_code)
    template = next(iter(sorted(LOCALE_DIR.glob("*/LC_MESSAGES/reportkit.po"))), None)
    shown = ", ".join(f'"{w.replace(" %(number)s", "")}"' for w in missing[:4]) + (", …" if len(missing) > 4 else "")
    if have is None:
        target = LOCALE_DIR / gettext_code.split("_")[0] / "LC_MESSAGES" / "reportkit.po"
        how = (f"create this file from the template {template} (keep every msgid, translate every msgstr; "
               f"the words are listed in {Path(__file__).parent / 'ui_strings.py'})" if template else
               f"create this file with the words listed in {Path(__file__).parent / 'ui_strings.py'}")
        return Diagnostic(Loc(str(target)), f"no interface words for {bcp47}: its editions print {shown} in English; {how}", level)
    return Diagnostic(Loc(str(have)), f"{len(missing)} interface words untranslated for {bcp47} ({shown}): "
                                      f"their editions print in English; translate them in {have}", level)
