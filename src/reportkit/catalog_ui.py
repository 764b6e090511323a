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
