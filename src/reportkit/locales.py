"""Locale codes in their three spellings: BCP 47 (HTML, content), gettext/Babel, and Typst lang/region."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocaleCode:
    bcp47: str  # zh-Hant
    gettext: str  # zh_Hant
    babel: str  # zh_Hant_TW: the CLDR locale for dates and numbers
    typst_lang: str  # zh
    typst_region: str  # TW ('' for none)
    script: str  # latin | cjk: which font set the brand assigns

    @property
    def is_cjk(self) -> bool:
        return self.script == "cjk"


# Editions we know how to set. A new language needs a row here and a catalog in locales/.
_DEFAULT_REGION = {"zh-Hant": "TW", "zh-Hans": "CN", "zh": "TW", "ja": "JP", "ko": "KR"}


def parse_locale(tag: str) -> LocaleCode:
    """'zh-Hant', 'zh_Hant' or 'zh-Hant-TW' -> LocaleCode. Raises ValueError for malformed tags."""
    from babel import Locale, UnknownLocaleError

    norm = tag.replace("_", "-")
    parts = norm.split("-")
    if not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3:
        raise ValueError(f'"{tag}" is not a language tag such as en or zh-Hant')
    lang = parts[0].lower()
    script = next((p.title() for p in parts[1:] if len(p) == 4), "")
    region = next((p.upper() for p in parts[1:] if len(p) == 2), "")
    bcp = "-".join(x for x in (lang, script) if x) + (f"-{region}" if region and not script else "")
    region = region or _DEFAULT_REGION.get(bcp, "")
    try:
        babel = str(Locale.parse("_".join(x for x in (lang, script, region) if x)))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f'"{tag}" is not a locale that CLDR knows')
    return LocaleCode(bcp, bcp.replace("-", "_"), babel, lang, region,
                      "cjk" if lang in ("zh", "ja", "ko") else "latin")
