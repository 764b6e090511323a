"""Publish artifacts safely and list them: build/<report>/ files and build/manifest.json.

`publish` is the one way a build reaches the output folder:

1. an exclusive lock on build/.reportkit.lock (concurrent builds into one folder take turns);
2. a report id already built there from another report folder is refused;
3. every file and the merged manifest are written into a staging folder inside build/ and fsynced;
4. only then are they renamed into place (SIGINT held back for those few renames), manifest last.

Any OSError (full disk, read-only or forbidden folder) before the renames leaves everything as it
was; a rename failing midway puts the previous files back. Files honour the umask.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import Diagnostic, Loc, ReportError

MANIFEST = "manifest.json"
LOCK = ".reportkit.lock"
STAGING_PREFIX = ".staging-"


@dataclass
class Artifact:
    report: str
    language: str
    format: str
    engine: str
    path: str
    bytes: int
    sha256: str
    pages: int | None = None
    brand: str = ""
    notes: str = ""
    translation: dict | None = None  # units / translated / fallback / fuzzy
    placeholders: list | None = None  # figure ids printed as placeholders (artwork missing)


# ---------------- small file helpers ----------------

def _write_fd(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _write_new(path: Path, data: bytes, sync: bool = True) -> None:
    """Create `path` (which must not exist) with the umask's permissions, write and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        _write_fd(fd, data)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the renames are done regardless
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see the old file or the new one.
    The file gets the permissions the umask allows (0644 under umask 022)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(100):
        tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.{attempt}.tmp"
        try:
            _write_new(tmp, data)
            break
        except FileExistsError:
            continue
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    else:  # pragma: no cover - a hundred stale temporaries of this very process and thread
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def pdf_pages(data: bytes) -> int:
    """Page count: Typst writes plain page objects (a byte scan is enough and costs no import);
    PDFs with compressed object streams (WeasyPrint) are read with pikepdf."""
    import re

    count = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    if count:
        return count
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def make(report: str, language: str, fmt: str, engine: str, out: Path, root: Path, data: bytes, **extra) -> Artifact:
    return Artifact(report, language, fmt, engine, out.relative_to(root).as_posix(), len(data),
                    hashlib.sha256(data).hexdigest(), pdf_pages(data) if fmt == "pdf" else None, **extra)


# ---------------- errors ----------------

_HINTS = {
    errno.ENOSPC: "free space or choose another --out",
    errno.EDQUOT: "free space (disk quota exceeded) or choose another --out",
    errno.EROFS: "the file system is read-only; choose another --out",
    errno.EACCES: "check the folder's permissions or choose another --out",
    errno.EPERM: "check the folder's permissions or choose another --out",
}


def write_error(folder: Path, e: OSError) -> ReportError:
    """One line: 'reportkit: error: cannot write build/example: No space left on device; free space ...'."""
    cause = e.strerror or str(e) or type(e).__name__
    hint = _HINTS.get(e.errno, "choose another --out")
    return ReportError([Diagnostic(Loc(""), f"cannot write {folder}: {cause}; {hint}")])


# ---------------- manifest ----------------

def read_manifest(build_dir: Path) -> dict:
    """The manifest as it is on disk (an unreadable or malformed one counts as empty)."""
    path = build_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: entries of files still there are not known
        return {"artifacts": [], "reports": {}}
    if not isinstance(data, dict):
        return {"artifacts": [], "reports": {}}
    arts = [a for a in data.get("artifacts") or [] if isinstance(a, dict) and isinstance(a.get("path"), str)]
    reports = data.get("reports") if isinstance(data.get("reports"), dict) else {}
    return {"artifacts": arts, "reports": reports}


def _live_entries(build_dir: Path, manifest: dict) -> dict:
    """path -> entry for the manifest entries whose file still exists."""
    return {a["path"]: a for a in manifest["artifacts"] if (build_dir / a["path"]).is_file()}


def _conflicts(build_dir: Path, manifest: dict, report_ids, source: str) -> list[Diagnostic]:
    live_reports = {a.get("report") for a in _live_entries(build_dir, manifest).values()}
    out = []
    for rid in sorted(report_ids):
        known = (manifest["reports"].get(rid) or {}).get("source") if isinstance(manifest["reports"].get(rid), dict) else None
        if known and known != source and rid in live_reports:
            out.append(Diagnostic(Loc(str(build_dir / MANIFEST)),
                                  f'report id "{rid}" of {source} was already built here from {known}; '
                                  f"give one of them another id, build into another --out, or remove {build_dir / rid} if the report moved"))
    return out


def check_source(build_dir: Path, report_id: str, source: str) -> None:
    """Raise the refusal `publish` would give, early (before anything is rendered); no lock taken."""
    diags = _conflicts(build_dir, read_manifest(build_dir), [report_id], source)
    if diags:
        raise ReportError(diags)


def _manifest_bytes(entries: dict, reports: dict) -> bytes:
    used = {e.get("report") for e in entries.values()}
    data = {"generator": "reportkit",
            "reports": {k: reports[k] for k in sorted(reports) if k in used},
            "artifacts": sorted(entries.values(), key=lambda x: x["path"])}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_manifest(build_dir: Path, artifacts: list[Artifact]) -> Path:
    """Merge these artifacts into build/manifest.json (replacing entries with the same path).
    Kept for callers that write their files themselves; `publish` does both under one lock."""
    path = build_dir / MANIFEST
    with _locked(build_dir):
        manifest = read_manifest(build_dir)
        entries = _live_entries(build_dir, manifest)
        for a in artifacts:
            entries[a.path] = asdict(a)
        atomic_write(path, _manifest_bytes(entries, dict(manifest["reports"])))
    return path


# ---------------- publishing ----------------

@contextmanager
def _locked(build_dir: Path):
    import fcntl

    build_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(build_dir / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


_SWAP_SLOTS = 1000
_swapping = threading.Semaphore(_SWAP_SLOTS)  # one slot taken per publish that is renaming files into place


def wait_idle(timeout: float = 5.0) -> bool:
    """Wait until no publish is renaming files into place (for a process about to end abruptly)."""
    import time

    deadline = time.monotonic() + timeout
    taken = 0
    try:
        while taken < _SWAP_SLOTS:
            if not _swapping.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return False
            taken += 1
        return True
    finally:
        for _ in range(taken):
            _swapping.release()


@contextmanager
def _sigint_held():
    """Hold Ctrl-C back while files are renamed into place; it takes effect right after."""
    with _swapping:
        with _sigint_deferred():
            yield


@contextmanager
def _sigint_deferred():
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives KeyboardInterrupt; this thread finishes its renames
        return
    caught = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    except (ValueError, OSError):  # pragma: no cover - no signals here (embedded interpreter)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        if caught:
            if callable(previous):
                previous(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt here
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)


def _clean_stale_staging(build_dir: Path) -> None:
    """Staging folders left by a killed build (we hold the lock, so none is in use)."""
    for p in build_dir.glob(STAGING_PREFIX + "*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def publish(build_dir: Path, artifacts: list[tuple[Path, bytes, dict]], source: str, build: tuple | None = None) -> list[Artifact]:
    """Write `artifacts` (destination path inside build_dir, bytes, fields for `make`: report, language,
    format, engine and brand/notes/translation) and merge them into build_dir/manifest.json, all or nothing.

    `source` is the report folder relative to the project root (posix), recorded per report id: the
    same id built from another folder is refused. Raises ReportError (one line) on any OSError, with
    the previous files and manifest left as they were. `build` = (inputs digest, warnings) records what
    this build was made from (see uptodate.py), so the same build again can be skipped."""
    build_dir = Path(build_dir)
    made: list[Artifact] = []
    for dest, data, fields in artifacts:
        f = dict(fields)
        made.append(make(f.pop("report"), f.pop("language"), f.pop("format"), f.pop("engine"), Path(dest), build_dir, data, **f))
    report_ids = {a.report for a in made}
    folders = sorted({Path(dest).parent for dest, _, _ in artifacts})
    shown = folders[0] if len(folders) == 1 else build_dir
    try:
        with _locked(build_dir):
            return _publish_locked(build_dir, artifacts, made, report_ids, source, shown, build)
    except ReportError:
        raise
    except OSError as e:
        at_top = e.filename is not None and Path(e.filename) in (build_dir, build_dir / LOCK)
        raise write_error(build_dir if at_top else shown, e) from e


KEEP_BUILDS = 8  # input digests remembered per report (a CI that alternates engines keeps both)
BUILDS = ".reportkit-builds.json"  # what past builds were made from (uptodate.py): state, not part of the release


def read_builds(build_dir: Path) -> dict:
    """report id -> {"source", "builds": {inputs digest: {"artifacts", "warnings"}}}; empty if unreadable."""
    try:
        data = json.loads((Path(build_dir) / BUILDS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _publish_locked(build_dir, artifacts, made, report_ids, source, shown, build=None) -> list[Artifact]:
    _clean_stale_staging(build_dir)
    manifest = read_manifest(build_dir)
    diags = _conflicts(build_dir, manifest, report_ids, source)
    if diags:
        raise ReportError(diags)
    entries = _live_entries(build_dir, manifest)
    for a in made:
        entries[a.path] = asdict(a)
    reports = {k: v for k, v in manifest["reports"].items() if isinstance(v, dict)}
    state = read_builds(build_dir)
    for rid in report_ids:
        reports[rid] = {"source": source}
        old = state.get(rid) if isinstance(state.get(rid), dict) and state[rid].get("source") == source else {}
        builds = dict(old.get("builds") or {})
        if build is not None:
            digest, warnings = build
            builds.pop(digest, None)
            # each artifact's bytes as this build wrote them: a later build may rewrite the same path
            builds[digest] = {"artifacts": {a.path: a.sha256 for a in sorted(made, key=lambda a: a.path) if a.report == rid},
                              "warnings": warnings}
            builds = dict(list(builds.items())[-KEEP_BUILDS:])
        state[rid] = {"source": source, "builds": builds}
    manifest_data = _manifest_bytes(entries, reports)
    state_data = (json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")

    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=build_dir))
    created: list[Path] = []  # report folders made by this call: removed again if it fails
    try:
        # 1. everything written and synced where nobody looks
        moves: list[tuple[Path, Path]] = []
        for i, (dest, data, _) in enumerate(artifacts):
            staged = staging / f"{i}.{Path(dest).name}"
            _write_new(staged, data)
            moves.append((staged, Path(dest)))
        staged_state = staging / BUILDS
        _write_new(staged_state, state_data)
        moves.append((staged_state, build_dir / BUILDS))
        staged_manifest = staging / MANIFEST
        _write_new(staged_manifest, manifest_data)
        moves.append((staged_manifest, build_dir / MANIFEST))
        # keep the previous files reachable (hard links cost no data blocks) in case a rename fails
        backups: dict[Path, Path] = {}
        for i, (_, dest) in enumerate(moves):
            if dest.is_file():
                backup = staging / f"previous.{i}"
                try:
                    os.link(dest, backup)
                    backups[dest] = backup
                except OSError:  # no hard links on this file system: the renames go ahead without a way back
                    pass
        _fsync_dir(staging)
        for folder in sorted({dest.parent for _, dest in moves}, key=lambda f: len(f.parts)):
            missing = [f for f in (folder, *folder.parents) if not f.exists()]
            for f in reversed(missing):
                f.mkdir()
                created.append(f)
        # 2. the swap: a handful of renames, not interrupted by Ctrl-C
        with _sigint_held():
            done: list[Path] = []
            try:
                for staged, dest in moves:
                    os.replace(staged, dest)
                    done.append(dest)
            except BaseException:
                for dest in reversed(done):
                    try:
                        if dest in backups:
                            os.replace(backups[dest], dest)
                        else:
                            dest.unlink(missing_ok=True)
                    except OSError:
                        pass
                raise
            for folder in {dest.parent for _, dest in moves}:
                _fsync_dir(folder)
        created.clear()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass
    return made
