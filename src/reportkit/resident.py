"""The resident Typst compiler: a background process per slot that keeps its typst.Compiler between
builds. Typst memoizes layout inside a compiler, so the flagship edited by one word recompiles in about
0.1 s there, where a new process needs about 0.8 s. The PDF is the same byte for byte (tests prove it
against --no-cache builds, which never use a resident compiler).

- One server per slot (editions compile in parallel in different slots), per cache folder and per
  installed code: the socket's name carries a digest of both, so another cache or an upgraded
  reportkit or Typst never talks to an old server.
- A server ends itself after REPORTKIT_RESIDENT_IDLE seconds without work (default 600), or after a
  compile that leaves it holding more than REPORTKIT_RESIDENT_MAX_MB (default 1024); `reportkit clean`
  stops it at once. REPORTKIT_RESIDENT=0 turns the whole thing off.
- Anything wrong on the way (no server, a crash, a socket error) makes the caller compile in-process
  instead: the resident compiler only ever makes a build faster, never different or broken.
- Only this user can reach the sockets (a 0700 folder); requests are JSON and bytes, never pickles.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

from . import cache
from .errors import ReportError, diagnostics_data, diagnostics_from

IDLE = float(os.environ.get("REPORTKIT_RESIDENT_IDLE", "600"))
# a server that holds more than this after a compile ends (a report of hundreds of pages): memory between
# builds stays bounded, and such a report simply compiles from scratch each time
KEEP_MB = float(os.environ.get("REPORTKIT_RESIDENT_MAX_MB", "1024"))
COMPILERS_PER_SERVER = 2  # each holds a report's fonts and layout memo (~250-300 MB for the flagship)
START_WAIT = 10.0  # seconds a build waits for a server it started to listen
MAX_SLOTS = 4


def enabled() -> bool:
    return cache.enabled() and os.environ.get("REPORTKIT_RESIDENT", "1") != "0" and hasattr(socket, "AF_UNIX")


@functools.lru_cache(maxsize=None)
def identity() -> str:
    """The code a server runs: reportkit's compile path and the typst binding. A change of either means
    another server."""
    import importlib.util

    here = Path(__file__).parent
    h = hashlib.sha256(f"{sys.executable}\n".encode())
    for name in ("resident.py", "engine.py", "fonts.py"):
        h.update((here / name).read_bytes())
    spec = importlib.util.find_spec("typst")  # the binding's files, by stat: importing it costs 20 ms
    for folder_ in spec.submodule_search_locations or []:
        for f in sorted(Path(folder_).glob("*.so")):
            st = f.stat()
            h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()


def folder() -> Path:
    # short: a Unix socket path holds at most 107 bytes, so neither XDG_CACHE_HOME nor a long
    # XDG_RUNTIME_DIR will do
    base = os.environ.get("XDG_RUNTIME_DIR") or ""
    if not base or len(base) > 64:
        base = tempfile.gettempdir()
    d = Path(base) / f"reportkit-{os.getuid()}"
    d.mkdir(mode=0o700, exist_ok=True)
    st = d.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise OSError(f"{d} is not private to this user")
    return d


def address(slot: int) -> Path:
    key = hashlib.sha256(f"{cache.cache_dir()}\n{identity()}".encode()).hexdigest()[:16]
    return folder() / f"typst-{key}-{slot}.sock"  # 29 characters


# ---- the wire: an 8-byte length and a JSON header, then an 8-byte length and the payload ----

def _send(sock: socket.socket, header: dict, payload: bytes = b"") -> None:
    head = json.dumps(header).encode()
    sock.sendall(struct.pack(">Q", len(head)) + head + struct.pack(">Q", len(payload)) + payload)


def _exactly(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _receive(sock: socket.socket) -> tuple[dict, bytes]:
    header = json.loads(_exactly(sock, struct.unpack(">Q", _exactly(sock, 8))[0]))
    payload = _exactly(sock, struct.unpack(">Q", _exactly(sock, 8))[0])
    return header, payload


# ---- the client side (a build) ----

def _connect(slot: int, timeout: float | None) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(address(slot)))
        return sock
    except OSError:
        sock.close()
        return None


_spawned: dict = {}  # slot -> the server process this build started


def _spawn(slot: int) -> None:
    # this very package, wherever it was imported from (an installed one, or a checkout on sys.path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                    os.environ.get("PYTHONPATH")])))
    _spawned[slot] = subprocess.Popen([sys.executable, "-m", "reportkit.resident", str(slot)], cwd="/", env=env,
                                      start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, close_fds=True)


def start(slots: int) -> None:
    """Start the servers of slots 0..slots-1 that are not running, without waiting for them: they load
    while the build renders its sources."""
    if not enabled():
        return
    for slot in range(slots):
        try:
            sock = _connect(slot, 0.2)
            if sock is None:
                _spawn(slot)
            else:
                _send(sock, {"ping": True})
                sock.close()
        except OSError:
            pass


def compile(slot: int, source: str, root: Path, families: tuple, stamp: int):
    """(pdf, warnings) from slot's server, or None when no server could do it (the caller compiles)."""
    try:
        sock = _connect(slot, 2.0)
        if sock is None:
            ours = _spawned.get(slot)  # (two build threads may share a slot: one lookup, never `in` then [])
            if ours is None or ours.poll() is not None:  # not one `start` set going already
                _spawn(slot)
            deadline = time.monotonic() + START_WAIT
            while sock is None and time.monotonic() < deadline:
                time.sleep(0.02)
                sock = _connect(slot, 2.0)
                ours = _spawned.get(slot)
                if sock is None and ours is not None and ours.poll() is not None:
                    # ours ended: another server had the slot (it will listen soon) or it failed to start
                    deadline = min(deadline, time.monotonic() + 1.0)
                    _spawned.pop(slot, None)
        if sock is None:
            return None
        with sock:
            sock.settimeout(None)  # a long report takes what it takes; a server that dies closes the socket
            from .fonts import stamp as font_stamp

            _send(sock, {"root": str(Path(root).resolve()), "families": list(families), "stamp": stamp, "cwd": os.getcwd(),
                         "fonts": font_stamp(families)}, source.encode("utf-8"))
            header, pdf = _receive(sock)
    except (OSError, EOFError, ValueError, struct.error):
        return None
    if header.get("error") is not None:  # Typst refused the source: the same error an in-process compile gives
        raise ReportError(diagnostics_from(header["error"]))
    if not header.get("ok"):
        return None
    return pdf, diagnostics_from(header.get("warnings", []))


def stop(path: Path) -> bool:
    """Ask the server at `path` to end; whether one was there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        with sock:
            sock.connect(str(path))
            _send(sock, {"stop": True})
        return True
    except OSError:
        return False


def stop_all() -> int:
    """Stop this cache folder's servers (`reportkit clean`); how many were running."""
    try:
        return sum(stop(address(slot)) for slot in range(MAX_SLOTS))
    except OSError:
        return 0


# ---- the server side ----

def _track(roots, key: tuple, fonts) -> None:
    """Before compiling for `key` (report folder, families) with the font files' digest `fonts`: a key
    this server has not compiled for, or whose fonts changed on disk, reads fontconfig's list again (fonts
    installed or removed since the server started would otherwise be looked up in a stale table, where a
    new process finds them); a changed key's compilers are dropped; only the recent keys are kept."""
    from . import engine, fonts as _fonts

    if roots.get(key) != fonts:
        _fonts.installed.cache_clear()
        if key in roots:
            engine.forget(*key)
    roots[key] = fonts
    roots.move_to_end(key)
    while len(roots) > COMPILERS_PER_SERVER:
        engine.forget(*roots.popitem(last=False)[0])


def serve(slot: int) -> None:
    from . import engine

    path = address(slot)
    lock = open(path.with_suffix(".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another server has this slot
    if path.exists():
        path.unlink()  # left by a server that died
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    os.chmod(path, 0o600)
    server.listen(16)
    server.settimeout(IDLE)
    roots: OrderedDict = OrderedDict()  # the compilers this server keeps, least recently used first
    try:
        while True:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                return
            with conn:
                try:
                    header, source = _receive(conn)
                except (OSError, EOFError, ValueError, struct.error):
                    continue
                if header.get("stop"):
                    return
                if header.get("ping"):
                    continue
                key = (header["root"], tuple(header["families"]))
                _track(roots, key, header.get("fonts"))
                try:
                    os.chdir(header.get("cwd") or "/")  # Typst names files relative to it, as in the build's own process
                    # the font files' digest is part of the compiler's key: fonts updated on disk are loaded anew
                    pdf, warnings = engine.typst_pdf(source.decode("utf-8"), Path(key[0]), key[1], header["stamp"],
                                                     fonts=str(header.get("fonts", "")))
                    reply = {"ok": True, "warnings": diagnostics_data(warnings)}
                except ReportError as e:
                    pdf, reply = b"", {"ok": False, "error": diagnostics_data(e.diagnostics)}
                except Exception as e:  # noqa: BLE001 - the build then compiles itself and shows the real error
                    pdf, reply = b"", {"ok": False, "crash": f"{type(e).__name__}: {e}"}
                finally:
                    os.chdir("/")
                try:
                    _send(conn, reply, pdf)
                except OSError:
                    pass  # the build was interrupted
            if _rss_mb() > KEEP_MB:
                return
    finally:
        try:
            if path.exists():
                path.unlink()
        finally:
            lock.close()


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    serve(int(sys.argv[1]))
