"""Find the installed font files of a brand's families and load them once per process for Typst."""
from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from .errors import Diagnostic, Loc, ReportError


@functools.lru_cache(maxsize=None)
def installed() -> dict[str, list[str]]:
    """family -> font files, from fontconfig (fast: it keeps its own cache)."""
    try:
        out = subprocess.run(["fc-list", "--format", "%{family}\t%{file}\n"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    table: dict[str, list[str]] = {}
    for line in out.splitlines():
        families, _, file = line.partition("\t")
        for family in families.split(","):
            table.setdefault(family.strip(), []).append(file)
    return table


def files_for(families) -> list[str]:
    table = installed()
    missing = [f for f in families if f not in table]
    if missing:
        raise ReportError([Diagnostic(Loc("styles"), f"font not installed: {', '.join(missing)}; run the README's set-up command "
                                                     "(it installs fonts-noto-core, fonts-noto-cjk and fonts-dejavu-core)")])
    return sorted({file for f in families for file in table[f]})


def font_stamps(families) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of each font file behind `families`: what a cache key needs to notice
    an updated font package (hashing tens of MB of CJK fonts on every build would cost more)."""
    out = []
    for file in files_for(families):
        try:
            st = os.stat(file)
        except OSError:
            out.append((file, -1, -1))
            continue
        out.append((file, st.st_size, st.st_mtime_ns))
    return out


@functools.lru_cache(maxsize=None)
def font_dir(families: tuple[str, ...]) -> Path:
    """A folder of links to exactly these families' files: Typst reads folders, and a small one loads fast."""
    files = files_for(families)
    key = hashlib.sha256("\n".join(files).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"reportkit-fonts-{os.getuid()}" / key
    if not folder.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix="fonts-", dir=folder.parent if folder.parent.exists() else _mk(folder.parent)))
        for i, file in enumerate(files):
            (tmp / f"{i:03d}-{Path(file).name}").symlink_to(file)
        try:
            tmp.rename(folder)
        except OSError:
            pass  # another process made it first
    return folder


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.lru_cache(maxsize=8)
def typst_fonts(families: tuple[str, ...], stamp: str = ""):
    """The families' fonts as Typst loads them, once per process (and per `stamp`, the font files'
    digest, in a process that outlives a font update)."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_dir(families))])


def stamp(families) -> str:
    """A digest of the font files behind `families` (paths, sizes, dates)."""
    return hashlib.sha256(repr(font_stamps(tuple(families))).encode()).hexdigest()[:16]
