"""Self-hosted fonts for the HTML edition: each face the page uses, subset with HarfBuzz (hb-subset,
through uharfbuzz) to exactly the characters the edition prints, as WOFF2 data URIs.

The bytes depend only on the font file, the edition's characters and the HarfBuzz version, never on
the machine, the clock or what was built before:
- the subset holds exactly the edition's characters (no reuse of a larger subset built earlier);
- head.created and head.modified are set to FONT_DATE (hb-subset copies them from the source font,
  and fontTools would write the build time);
- WOFF2 is written by fontTools with Brotli at quality WOFF2_QUALITY, without timestamps.

Subsetting a CJK face takes ~0.03 s; Brotli is the cost (quality 11: ~2.2 s per CJK face, quality
9: ~0.08 s for a 9 % larger file). Finished WOFF2 files are kept in the user cache (kind "webfont"),
keyed by (sha256 of the font file, face index, the exact characters, quality, HarfBuzz version).
"""
from __future__ import annotations

import base64
import functools
import io
import struct
import subprocess
import threading
from pathlib import Path

from . import cache as _cache
from .brand import Brand

# (css weight, css style, fontconfig pattern suffix)
_FACES = {"serif": [("400", "normal", ":style=Regular"), ("700", "normal", ":style=Bold"), ("400", "italic", ":style=Italic")],
          "sans": [("400", "normal", ":style=Regular"), ("700", "normal", ":style=Bold")]}

# Brotli quality of the WOFF2 files. On the flagship's Chinese faces 6 is 1 % larger than 9 in a third of
# the time (the HTML editions: +2 %, and the fonts of a first build in half the time); 11 is 8 % smaller
# than 9 at 17 times its time (see README "Speed").
WOFF2_QUALITY = 6
# head.created / head.modified of every subset: 1970-01-01T00:00:00Z, in seconds since 1904-01-01.
FONT_DATE = 2082844800
_SCHEMA = "webfont-2"
_PUNCT = " .,;:!?()[]-–—'\"“”‘’0123456789"


@functools.lru_cache(maxsize=None)
def _match(pattern: str) -> tuple[str, int, str]:
    out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", pattern], capture_output=True, text=True).stdout
    file, index, family = out.split("|", 2)
    return file, int(index), family.split(",")[0]


@functools.lru_cache(maxsize=64)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a font file, remembered in the cache by (path, size, mtime_ns): a CJK collection is
    tens of MB, too much to hash on every build."""
    return _cache.kept("digest", ("font-digest", path, size, mtime_ns),
                       lambda: _cache.file_sha256(Path(path)).encode("ascii")).decode("ascii")


def _hb_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("uharfbuzz")
    except metadata.PackageNotFoundError:
        return "?"


def subset_key(file: str, index: int, chars: str, quality: int = WOFF2_QUALITY) -> str:
    """The cache key of one subset: the exact font bytes, face, characters and encoder settings."""
    digest = _file_digest(*_cache.stat_key(file))
    return _cache.digest(_SCHEMA, digest, index, quality, _hb_version(), "".join(sorted(set(chars))))


def _hb_subset(file: str, index: int, chars: str) -> bytes | None:
    """An OpenType subset (TrueType or CFF, as the source) holding exactly `chars`; None when the
    face has none of them."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(file), index)
    wanted = {ord(c) for c in chars} & set(face.unicodes)
    if not wanted:
        return None
    inp = hb.SubsetInput()
    for cp in sorted(wanted):
        inp.unicode_set.add(cp)
    # no hinting (screens hint themselves; it halves a Latin file); desubroutinized CFF compresses
    # ~10 % smaller under Brotli; .notdef keeps its outline (a missing glyph shows as a box)
    inp.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE
    for name_id in (0, 13, 14):  # copyright, licence, licence URL: the OFL asks to keep them
        inp.name_id_set.add(name_id)
    out = hb.subset(face, inp)
    if out is None:
        raise RuntimeError(f"hb-subset failed on {file} (face {index})")
    return fix_head_dates(bytes(out.blob.data), FONT_DATE)


def _checksum(data: bytes) -> int:
    data = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def fix_head_dates(sfnt: bytes, seconds: int) -> bytes:
    """The font with head.created and head.modified set to `seconds` (since 1904-01-01), and the head
    table checksum and head.checkSumAdjustment recomputed."""
    font = bytearray(sfnt)
    (num_tables,) = struct.unpack(">H", font[4:6])
    for i in range(num_tables):
        rec = 12 + 16 * i
        tag, _sum, offset, length = struct.unpack(">4sIII", font[rec:rec + 16])
        if tag != b"head":
            continue
        font[offset + 8:offset + 12] = b"\0\0\0\0"
        font[offset + 20:offset + 36] = struct.pack(">qq", seconds, seconds)
        font[rec + 4:rec + 8] = struct.pack(">I", _checksum(bytes(font[offset:offset + length])))
        adjust = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
        font[offset + 8:offset + 12] = struct.pack(">I", adjust)
        break
    return bytes(font)


_brotli_lock = threading.Lock()


class _Brotli:
    """fontTools' WOFF2 writer calls brotli.compress without a quality (so 11): this passes ours."""

    def __init__(self, module, quality: int):
        self._m, self.quality = module, quality
        self.MODE_FONT, self.MODE_GENERIC = module.MODE_FONT, module.MODE_GENERIC

    def compress(self, data, mode=None, **_kw):
        return self._m.compress(data, mode=self.MODE_GENERIC if mode is None else mode, quality=self.quality)

    def decompress(self, data):
        return self._m.decompress(data)


def to_woff2(sfnt: bytes, quality: int = WOFF2_QUALITY) -> bytes:
    from fontTools.ttLib import TTFont, woff2

    with _brotli_lock:
        real = woff2.brotli
        base = real._m if isinstance(real, _Brotli) else real
        woff2.brotli = _Brotli(base, quality)
        try:
            font = TTFont(io.BytesIO(sfnt), recalcBBoxes=False, recalcTimestamp=False)
            font.flavor = "woff2"
            buf = io.BytesIO()
            font.save(buf, reorderTables=False)
        finally:
            woff2.brotli = real
    return buf.getvalue()


def subset_woff2(file: str, index: int, chars: str, store: _cache.Cache | None = None,
                 quality: int = WOFF2_QUALITY) -> bytes | None:
    """WOFF2 of face `index` of `file` holding exactly `chars` (None if it has none of them)."""
    store = store or _cache.default()
    key = subset_key(file, index, chars, quality)
    data = store.get("webfont", key)
    if data is not None:
        return data or None  # an empty entry: the face has none of these characters
    sfnt = _hb_subset(file, index, chars)
    data = to_woff2(sfnt, quality) if sfnt else b""
    store.put("webfont", key, data)
    return data or None


def cache_dir() -> Path:
    return _cache.cache_dir() / "webfont"


def font_faces(brand: Brand, text: str, cache: Path | _cache.Cache | None = None,
               quality: int = WOFF2_QUALITY) -> str:
    """@font-face rules for the brand's serif and sans families (Latin and CJK) covering `text`.
    `cache`: another cache folder (its root) or Cache; default the user cache (off with
    REPORTKIT_NO_CACHE=1: then every face is subset again, with the same bytes)."""
    if cache is None:
        store = _cache.default()
    elif isinstance(cache, _cache.Cache):
        store = cache
    else:
        store = _cache.Cache(Path(cache))
    chars = "".join(sorted(set(text) | set(_PUNCT)))
    cjk_chars = "".join(c for c in chars if ord(c) >= 0x2E80)
    latin_chars = "".join(c for c in chars if ord(c) < 0x2E80)
    rules = []
    for script, subset_chars in (("latin", latin_chars), ("cjk", cjk_chars)):
        if not subset_chars.strip():
            continue
        for role in ("serif", "sans"):
            family = brand.fonts[script][role]
            for weight, style, suffix in _FACES[role]:
                if script == "cjk" and (style == "italic" or (role == "serif" and weight == "700")):
                    continue  # CJK has no italic; bold serif CJK is rare enough to synthesize
                file, index, found = _match(family + suffix)
                if found != family:
                    continue
                data = subset_woff2(file, index, subset_chars, store, quality)
                if data is None:
                    continue
                uri = "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")
                rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                             f'font-display: swap; src: local("{family}"), url({uri}) format("woff2"); }}')
    return "\n".join(rules)
