"""Self-hosted fonts for the HTML edition: each face the page uses, subset with fontTools to the
characters the edition prints, as WOFF2 data URIs (a Chinese page carries what it shows, not 30 MB).

Subsets are cached by (font file, face, characters) in the user's cache folder, so a new build folder
does not pay for subsetting again (a CJK face takes seconds).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import subprocess
from pathlib import Path

from .brand import Brand

# (css weight, css style, fontconfig pattern suffix)
_FACES = {"serif": [("400", "normal", ":style=Regular"), ("700", "normal", ":style=Bold"), ("400", "italic", ":style=Italic")],
          "sans": [("400", "normal", ":style=Regular"), ("700", "normal", ":style=Bold")]}


@functools.lru_cache(maxsize=None)
def _match(pattern: str) -> tuple[str, int, str]:
    out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", pattern], capture_output=True, text=True).stdout
    file, index, family = out.split("|", 2)
    return file, int(index), family.split(",")[0]


def _face(file: str, index: int) -> str:
    return hashlib.sha256(f"{file}|{index}".encode()).hexdigest()[:12]


def _key(file: str, index: int, chars: str) -> str:
    return f"{_face(file, index)}-{hashlib.sha256(chars.encode()).hexdigest()[:16]}"


def _plan(file: str, index: int, chars: str, cache: Path) -> str:
    """The character set to subset to: an already cached superset if there is one (an edit that only
    removes characters costs nothing), else the union with what was cached before for this face, so
    the set only grows and later edits find a superset."""
    known = [p.read_text(encoding="utf-8") for p in cache.glob(f"{_face(file, index)}-*.chars")]
    need = set(chars)
    supersets = [k for k in known if need <= set(k)]
    if supersets:
        return min(supersets, key=len)
    return "".join(sorted(need.union(*map(set, known))))


def _subset(file: str, index: int, chars: str, cache: Path) -> bytes | None:
    cached = cache / f"{_key(file, index, chars)}.woff2"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(file, fontNumber=index, lazy=True)
    cmap = font.getBestCmap() or {}
    wanted = [ord(c) for c in chars if ord(c) in cmap]
    if not wanted:
        return None
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # screens hint themselves; dropping hints halves the file
    sub = subset.Subsetter(options)
    sub.populate(unicodes=wanted)
    sub.subset(font)
    font.flavor = "woff2"
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(cached)
    cached.with_suffix(".chars").write_text(chars, encoding="utf-8")
    return data


def cache_dir() -> Path:
    from .build import cache_dir as root

    return root() / "fonts"


def font_faces(brand: Brand, text: str, cache: Path | None = None) -> str:
    """@font-face rules for the brand's serif and sans families (Latin and CJK) covering `text`."""
    cache = cache or cache_dir()
    chars = "".join(sorted(set(text) | set(" .,;:!?()[]-–—'\"“”‘’0123456789")))
    cjk_chars = "".join(c for c in chars if ord(c) >= 0x2E80)
    latin_chars = "".join(c for c in chars if ord(c) < 0x2E80)
    faces = []
    for script, subset_chars in (("latin", latin_chars), ("cjk", cjk_chars)):
        if not subset_chars.strip():
            continue
        for role in ("serif", "sans"):
            family = brand.fonts[script][role]
            for weight, style, suffix in _FACES[role]:
                if script == "cjk" and (style == "italic" or (role == "serif" and weight == "700")):
                    continue  # CJK has no italic; bold serif CJK is rare enough to synthesize
                file, index, found = _match(family + suffix)
                if found == family:
                    faces.append((family, weight, style, file, index, subset_chars))
    cache.mkdir(parents=True, exist_ok=True)
    jobs = [(f[3], f[4], _plan(f[3], f[4], f[5], cache), cache) for f in faces]
    missing = [j for j in jobs if not (cache / f"{_key(*j[:3])}.woff2").is_file()]
    if len(missing) > 1:  # subsetting is pure Python: use every core on a cold cache
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: this process may already run Typst's threads
        with ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_subset_job, missing))
    rules = []
    for (family, weight, style, *_), job in zip(faces, jobs):
        data = _subset(*job)
        if data is None:
            continue
        uri = "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'font-display: swap; src: local("{family}"), url({uri}) format("woff2"); }}')
    return "\n".join(rules)


def _subset_job(job) -> None:
    _subset(*job)
