"""The user cache: the one place where reportkit keeps what it can rebuild (compiled PDFs, font
subsets, font cmaps), shared by every build folder of this user.

- Where: `$XDG_CACHE_HOME/reportkit`, else `~/.cache/reportkit`.
- What: one file per entry, `<dir>/<kind>/<key>`; `key` is a hex digest of everything that changes
  the entry (see `pdf_key`), so an entry is never stale, only unused.
- Size: after each `put`, the least recently used entries (by mtime, which `get` refreshes) are
  removed until the folder holds at most REPORTKIT_CACHE_MAX_MB (default 500) megabytes.
- Off: `REPORTKIT_NO_CACHE=1` in the environment, or `set_enabled(False)` (which also sets that
  variable, so worker processes inherit it): `get` then finds nothing and `put` keeps nothing.
- Writes are atomic (a temporary file renamed into place) and get the mode the umask allows, so
  several builds may share the folder at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

DEFAULT_MAX_MB = 500
_KIND = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEY = re.compile(r"^[0-9a-zA-Z_-]{8,128}$")
_enabled: bool | None = None  # None: ask the environment


def cache_dir() -> Path:
    """The user's reportkit cache folder (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reportkit"


def set_enabled(on: bool | None) -> None:
    """Turn the cache on or off for this process and the processes it starts (`--no-cache`);
    None goes back to what the environment says."""
    global _enabled
    _enabled = on
    if on is False:
        os.environ["REPORTKIT_NO_CACHE"] = "1"
    elif on is True:
        os.environ.pop("REPORTKIT_NO_CACHE", None)


def enabled() -> bool:
    if _enabled is not None:
        return _enabled
    return os.environ.get("REPORTKIT_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def max_bytes() -> int:
    raw = os.environ.get("REPORTKIT_CACHE_MAX_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return max(0, int(mb * 1024 * 1024))


# bytes in each cache folder as this process last counted them, plus what it wrote since: a put scans the
# folder (to prune it) only the first time and when the bound comes near, not every time (the flagship's
# first build writes hundreds of small entries; a scan each cost a second)
_TOTALS: dict = {}


class Cache:
    """A cache folder. The module-level functions use `Cache()`: the user's folder, switched by
    `enabled()`; tests and callers that want another folder make their own."""

    def __init__(self, root: Path | None = None, enabled: bool | None = None, limit: int | None = None):
        self._root = Path(root) if root is not None else None
        self._enabled = enabled
        self._limit = limit

    @property
    def root(self) -> Path:
        return self._root if self._root is not None else cache_dir()

    @property
    def enabled(self) -> bool:
        return enabled() if self._enabled is None else self._enabled

    @property
    def limit(self) -> int:
        return max_bytes() if self._limit is None else self._limit

    def path(self, kind: str, key: str) -> Path:
        if not _KIND.match(kind) or not _KEY.match(key):
            raise ValueError(f"bad cache entry name {kind!r}/{key!r}")
        return self.root / kind / key

    def get(self, kind: str, key: str) -> bytes | None:
        if not self.enabled:
            return None
        path = self.path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            os.utime(path)  # used now: pruning removes the least recently used first
        except OSError:
            pass
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        if not self.enabled:
            return
        path = self.path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{key}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
            # os.open with 0o666: the umask decides the mode, as for any file the user makes
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except OSError:
            return  # a cache that cannot be written is only a slower build
        total = _TOTALS.get(self.root)
        if total is None:
            self.prune()  # a scan of the whole folder: once per process
        elif total + len(data) > self.limit:
            self.prune(int(self.limit * 0.8))  # room for the next puts before another scan
        else:
            _TOTALS[self.root] = total + len(data)

    def entries(self) -> list[tuple[float, int, Path]]:
        """(mtime, size, path) of every entry."""
        out = []
        try:
            kinds = list(os.scandir(self.root))
        except OSError:
            return out
        for kind in kinds:
            if not kind.is_dir(follow_symlinks=False):
                continue
            try:
                for e in os.scandir(kind.path):
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if e.is_file(follow_symlinks=False):
                        out.append((st.st_mtime, st.st_size, Path(e.path)))
            except OSError:
                continue
        return out

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    def prune(self, limit: int | None = None) -> int:
        """Remove the least recently used entries until the folder holds at most `limit` bytes
        (default: REPORTKIT_CACHE_MAX_MB). Returns the number of bytes removed."""
        limit = self.limit if limit is None else limit
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _mtime, size, path in sorted(entries, key=lambda e: (e[0], str(e[2]))):
            if total <= limit:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += size
        _TOTALS[self.root] = total
        return removed

    def clear(self) -> None:
        """Remove the whole cache folder (`reportkit clean`)."""
        shutil.rmtree(self.root, ignore_errors=True)
        _TOTALS.pop(self.root, None)


def default() -> Cache:
    return Cache()


def get(kind: str, key: str) -> bytes | None:
    return default().get(kind, key)


def put(kind: str, key: str, data: bytes) -> None:
    default().put(kind, key, data)


def prune(limit: int | None = None) -> int:
    return default().prune(limit)


def kept(kind: str, parts: tuple, make) -> bytes:
    """make() -> bytes, kept under the digest of `parts`: for a result that is a pure function of them
    (a citation's text, msgfmt's findings, a validated brand). Made each time when the cache is off."""
    if not enabled():
        return make()
    key = digest(kind, *parts)
    data = get(kind, key)
    if data is None:
        data = make()
        put(kind, key, data)
    return data


def clear() -> None:
    default().clear()


# --- keys -----------------------------------------------------------------------------------

def digest(*parts) -> str:
    """sha256 of parts (str or bytes), each length-prefixed so that no two lists of parts collide."""
    h = hashlib.sha256()
    for p in parts:
        b = p if isinstance(p, bytes) else str(p).encode("utf-8")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stat_key(path) -> tuple[str, int, int]:
    """(path, size, mtime_ns): what identifies an installed file that is too big to hash each time."""
    st = os.stat(path)
    return str(path), st.st_size, st.st_mtime_ns


_STRING = re.compile(r'"((?:[^"\\\n]|\\.){1,1024})"')


def referenced_files(source: str, root: Path) -> list[Path]:
    """Files under `root` that the Typst source may read: every file of root/figures, and every
    string literal of the source that names an existing file under root ("/figures/x.svg" is
    relative to root, as Typst reads it; a relative path too, as the source is compiled at root)."""
    root = Path(root).resolve()
    found: set[Path] = set()
    figures = root / "figures"
    if figures.is_dir():
        found.update(p for p in figures.rglob("*") if p.is_file())
    for m in _STRING.finditer(source):
        lit = m.group(1)
        if "." not in lit and "/" not in lit:
            continue  # no file name: text, a colour, a keyword
        lit = re.sub(r"\\(.)", r"\1", lit)
        try:
            path = (root / lit.lstrip("/")).resolve()
        except (OSError, ValueError):
            continue
        try:
            if path.is_relative_to(root) and path.is_file():
                found.add(path)
        except OSError:  # a long sentence is not a file name
            continue
    return sorted(found)


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def pdf_key(source: str, root: Path, families, options: dict) -> str:
    """The cache key of a PDF compiled by Typst: it changes with anything that changes the PDF.
    Covered: the Typst source; the bytes of every file under `root` it may read (referenced_files);
    each font file behind `families` (path, size, mtime_ns); the typst binding's and reportkit's
    versions; `options` (timestamp, PDF standards...: any JSON-able values)."""
    from . import __version__
    from .fonts import font_stamps

    root = Path(root).resolve()
    parts: list = ["reportkit-pdf-1", __version__, _version("typst"), json.dumps(options, sort_keys=True, default=str),
                   source]
    parts += ["fonts", "|".join(families), *(f"{p}|{size}|{mtime}" for p, size, mtime in font_stamps(tuple(families)))]
    parts += ["files"]
    for path in referenced_files(source, root):
        parts += [path.relative_to(root).as_posix(), file_sha256(path)]
    return digest(*parts)
