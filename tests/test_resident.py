"""The resident Typst compiler (resident.py) makes an edited build faster and never different: each build
through it equals a build by a new process with an empty cache, byte for byte, over a run of edits; a
dead, stale or missing server only costs time; Typst's errors come through unchanged; servers end when
idle or when `reportkit clean` says so."""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE

CHAPTER = "method.yaml"


_RUN: dict = {}


def run_dir(tmp_path) -> Path:
    """The test's own XDG_RUNTIME_DIR, short as real ones are (a socket path holds 107 bytes)."""
    if tmp_path not in _RUN:
        _RUN[tmp_path] = Path(tempfile.mkdtemp(prefix="rk-")) / "run"
        _RUN[tmp_path].mkdir(mode=0o700)
    return _RUN[tmp_path]


@pytest.fixture
def proj(tmp_path):
    folder = tmp_path / "proj" / "content" / "example"
    shutil.copytree(EXAMPLE, folder)
    return folder


def env_for(tmp_path, resident: bool, cache: str = "cache", idle: str = "60") -> dict:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / cache),
           "XDG_RUNTIME_DIR": str(run_dir(tmp_path)), "REPORTKIT_RESIDENT": "1" if resident else "0",
           "REPORTKIT_RESIDENT_IDLE": idle}
    return env


def build(folder: Path, out: Path, env: dict, *extra) -> dict:
    r = subprocess.run([sys.executable, "-m", "reportkit", "build", str(folder), "--out", str(out), "-q", *extra],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def servers(tmp_path) -> list[int]:
    out = subprocess.run(["pgrep", "-f", "reportkit.resident"], capture_output=True, text=True).stdout.split()
    mine = []
    for pid in out:
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"XDG_RUNTIME_DIR={run_dir(tmp_path)}".encode() in env:
            mine.append(int(pid))
    return mine


def clean(tmp_path):
    subprocess.run([sys.executable, "-m", "reportkit", "clean"], env=env_for(tmp_path, True), capture_output=True)


def edit(folder: Path, word: str) -> None:
    path = folder / CHAPTER
    text = path.read_text(encoding="utf-8")
    marker = "reportkit-edit-"
    if marker in text:
        import re

        text = re.sub(marker + r"\w+", marker + word, text)
    else:
        text = text.replace("p: ", f"p: {marker}{word} ", 1)
    path.write_text(text, encoding="utf-8")


def test_every_build_through_the_resident_compiler_equals_a_new_process_build(proj, tmp_path):
    try:
        for i, word in enumerate(["first", "second", "third", "second"]):
            if i:
                edit(proj, word)
            if i == 2:  # a figure replaced under the same name and mtime: Typst reads files anew each compile
                fig = next(p for p in (proj / "figures").iterdir() if p.suffix == ".svg")
                st = fig.stat()
                fig.write_text(fig.read_text().replace("#", "#0", 1) if "#" in fig.read_text() else fig.read_text() + "\n")
                os.utime(fig, ns=(st.st_atime_ns, st.st_mtime_ns))
            warm = build(proj, tmp_path / "warm", env_for(tmp_path, True))
            assert servers(tmp_path), "the build started no resident compiler"
            cold = build(proj, tmp_path / f"cold-{i}", env_for(tmp_path, False, cache=f"empty-{i}"))
            assert warm == cold, f"build {i}"
    finally:
        clean(tmp_path)


def test_a_killed_or_stale_server_only_costs_time(proj, tmp_path):
    try:
        build(proj, tmp_path / "a", env_for(tmp_path, True))
        pids = servers(tmp_path)
        assert pids
        for pid in pids:  # killed: the socket file stays behind, stale
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        assert list(run_dir(tmp_path).rglob("*.sock"))
        edit(proj, "after-kill")
        warm = build(proj, tmp_path / "b", env_for(tmp_path, True))
        assert servers(tmp_path), "no new server after the old ones died"
        assert warm == build(proj, tmp_path / "c", env_for(tmp_path, False, cache="empty"))
    finally:
        clean(tmp_path)


def test_a_server_dying_during_the_compile_falls_back_to_compiling_here(proj, tmp_path, monkeypatch):
    """The server closes the connection without an answer (as a crash does): the build compiles itself."""
    from reportkit import resident

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir(tmp_path)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import socket
    import threading

    path = resident.address(0)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def hang_up():
        conn, _ = listener.accept()
        conn.recv(16)
        conn.close()

    t = threading.Thread(target=hang_up)
    t.start()
    assert resident.compile(0, "= Hi", proj, ("Noto Serif",), 0) is None
    t.join()
    listener.close()


def test_typst_errors_come_through_the_resident_compiler_unchanged(tmp_path):
    """A template error is reported as the in-process compile reports it: one line, exit 1."""
    from reportkit.brand import builtin_styles

    folder = tmp_path / "proj" / "content" / "example"
    shutil.copytree(EXAMPLE, folder)
    brand = tmp_path / "proj" / "styles" / "broken"
    shutil.copytree(builtin_styles() / "dset", brand)
    template = brand / "report.typ"  # a brand's own copy of the base template, broken
    template.write_text((builtin_styles() / "base" / "report.typ").read_text() + "\n#let x = (\n", encoding="utf-8")
    said = []
    try:
        for resident in (True, False):
            r = subprocess.run([sys.executable, "-m", "reportkit", "--project", str(tmp_path / "proj"), "build", str(folder),
                                "--brand", "broken", "--format", "pdf", "--out", str(tmp_path / "out")],
                               capture_output=True, text=True, env=env_for(tmp_path, resident))
            assert r.returncode == 1 and "Traceback" not in r.stderr
            said.append([line for line in r.stderr.splitlines() if "Typst" in line])
        assert said[0] and said[0] == said[1]
        assert not (tmp_path / "out" / "example").exists()
    finally:
        clean(tmp_path)


def test_servers_end_when_idle_and_on_clean(proj, tmp_path):
    build(proj, tmp_path / "a", env_for(tmp_path, True, idle="1"))
    deadline = time.monotonic() + 20
    while servers(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not servers(tmp_path), "idle servers did not end"
    edit(proj, "again")
    build(proj, tmp_path / "a", env_for(tmp_path, True))
    assert servers(tmp_path)
    clean(tmp_path)
    deadline = time.monotonic() + 10
    while servers(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not servers(tmp_path), "reportkit clean left servers running"
    assert not list(run_dir(tmp_path).rglob("*.sock"))


def test_two_builds_at_once_share_the_servers(proj, tmp_path):
    try:
        env = env_for(tmp_path, True)
        procs = [subprocess.Popen([sys.executable, "-m", "reportkit", "build", str(proj), "--out", str(tmp_path / f"o{i}"), "-q"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
        for p in procs:
            assert p.wait(timeout=300) == 0, p.stderr.read().decode()
        digests = [{p.name: p.read_bytes() for p in (tmp_path / f"o{i}").rglob("*.pdf")} for i in range(2)]
        assert digests[0] and digests[0] == digests[1]
        assert len(servers(tmp_path)) <= 2  # one per slot, however many builds asked
    finally:
        clean(tmp_path)


def test_a_folder_others_can_read_is_not_used(proj, tmp_path):
    """Sockets live only in a folder private to the user; otherwise the build compiles itself."""
    run = run_dir(tmp_path)
    (run / f"reportkit-{os.getuid()}").mkdir(mode=0o755)
    os.chmod(run / f"reportkit-{os.getuid()}", 0o755)
    warm = build(proj, tmp_path / "a", env_for(tmp_path, True))
    assert not servers(tmp_path)
    assert warm == build(proj, tmp_path / "b", env_for(tmp_path, False, cache="empty"))


def test_a_server_holding_too_much_memory_ends_after_its_compile(proj, tmp_path):
    """REPORTKIT_RESIDENT_MAX_MB bounds what a server keeps between builds: above it, the server answers,
    then ends (a report of hundreds of pages compiles from scratch each time instead)."""
    env = dict(env_for(tmp_path, True), REPORTKIT_RESIDENT_MAX_MB="1")
    try:
        warm = build(proj, tmp_path / "a", env)
        deadline = time.monotonic() + 10
        while servers(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not servers(tmp_path), "the server kept its memory"
        assert warm == build(proj, tmp_path / "b", env_for(tmp_path, False, cache="empty"))
    finally:
        clean(tmp_path)


def test_fonts_updated_on_disk_get_a_new_compiler(tmp_path):
    """A long-lived process never serves a font update from memory: the font files' digest is part of the
    compiler's key (the resident server sends it with every compile)."""
    from reportkit import engine, fonts

    families = ("Noto Serif",)
    engine.forget(str(tmp_path), families)
    engine.typst_pdf("#set document(title: \"T\")\n= A", tmp_path, families, 0, fonts=fonts.stamp(families))
    engine.typst_pdf("#set document(title: \"T\")\n= B", tmp_path, families, 0, fonts=fonts.stamp(families))
    assert len([k for k in engine._compilers if k[0] == str(tmp_path.resolve())]) == 1  # same fonts: reused
    engine.typst_pdf("#set document(title: \"T\")\n= C", tmp_path, families, 0, fonts="after-an-update")
    mine = [k for k in engine._compilers if k[0] == str(tmp_path.resolve())]
    assert len(mine) == 2 and {k[3] for k in mine} == {fonts.stamp(families), "after-an-update"}
    engine.forget(str(tmp_path), families)
    assert not [k for k in engine._compilers if k[0] == str(tmp_path.resolve())]


def test_a_server_reads_the_font_list_again_for_a_new_report_or_changed_fonts(tmp_path, monkeypatch):
    """fontconfig's list is cached for a process's life; a server lives for minutes. Fonts installed or
    removed meanwhile must not be looked up in the old list (a new process would find them): a key the
    server has not seen, or whose font files changed, reads it again and drops that key's compilers."""
    from collections import OrderedDict

    from reportkit import engine, fonts, resident

    calls = []
    monkeypatch.setattr(fonts.subprocess, "run", lambda *a, **k: calls.append(1) or type("R", (), {"stdout": ""})())
    fonts.installed.cache_clear()
    forgotten = []
    monkeypatch.setattr(engine, "forget", lambda *key: forgotten.append(key))
    roots = OrderedDict()
    key = (str(tmp_path), ("Noto Serif",))
    fonts.installed()
    resident._track(roots, key, "stamp-1")  # a new key: the list is read again
    fonts.installed()
    resident._track(roots, key, "stamp-1")  # the same fonts: the cached list serves
    fonts.installed()
    assert len(calls) == 2 and forgotten == []
    resident._track(roots, key, "stamp-2")  # the font files changed on disk
    fonts.installed()
    assert len(calls) == 3 and forgotten == [key]
    fonts.installed.cache_clear()


def test_a_long_lived_process_keeps_only_the_recent_compilers(tmp_path):
    """Each Typst compiler holds its sources and fonts: a preview or a test session that compiles many
    report folders keeps the last engine.MAX_COMPILERS, not all of them."""
    from reportkit import engine

    families = ("Noto Serif",)
    for i in range(engine.MAX_COMPILERS + 3):
        (tmp_path / str(i)).mkdir()
        engine.typst_pdf(f"#set document(title: \"T\")\n= Report {i}", tmp_path / str(i), families, 0)
    assert len(engine._compilers) <= engine.MAX_COMPILERS
    kept = [k[0] for k in engine._compilers]
    assert str((tmp_path / str(engine.MAX_COMPILERS + 2)).resolve()) in kept and str((tmp_path / "0").resolve()) not in kept


def test_an_edition_always_goes_to_the_same_resident_compiler(tmp_path, monkeypatch):
    """Each resident compiler remembers the last layout it made: the zh-Hant edition recompiles
    incrementally only in the compiler that laid it out before, even when the English PDF comes from
    the cache this time (it used to take the first free compiler, the English one's)."""
    from conftest import FLAGSHIP

    from reportkit import build as build_mod, resident
    from reportkit.build import BuildOptions, build

    proj = tmp_path / "proj"
    shutil.copytree(FLAGSHIP, proj / "content" / "four-ounces")
    shutil.copytree(FLAGSHIP.parent.parent / "locales", proj / "locales")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    went = []
    monkeypatch.setattr(resident, "enabled", lambda: True)
    monkeypatch.setattr(resident, "start", lambda n: None)
    monkeypatch.setattr(build_mod, "_resident_job",
                        lambda slot, args: went.append((slot, '"lang": "zh"' in args[2])) or build_mod._compile_job(args))
    opts = BuildOptions(out=tmp_path / "out", formats=("pdf",), langs=["en", "zh-Hant"])
    build(proj / "content" / "four-ounces", opts)
    first = {zh: slot for slot, zh in went}
    assert set(first) == {False, True} and first[False] != first[True], went
    went.clear()
    po = proj / "locales" / "zh-Hant" / "four-ounces" / "ch4-conclusion.po"
    po.write_text(po.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")  # only zh-Hant changes
    build(proj / "content" / "four-ounces", opts)
    assert went == [(first[True], True)], went


def test_a_compile_right_after_start_waits_for_the_server_start_set_going(tmp_path):
    """`start` sets a server going while the build renders; a compile that comes before it listens waits
    for that one instead of starting a second (which would only exit on the slot's lock)."""
    script = f"""
import sys
from pathlib import Path
import reportkit.resident as r
spawned = []
real = r._spawn
r._spawn = lambda slot: (spawned.append(slot), real(slot))
r.start(1)
made = r.compile(0, '#set document(title: "t")\\n#set page(width: 4cm, height: 3cm)\\nHello', Path({str(tmp_path)!r}), ("DejaVu Sans Mono",), 0)
print(len(spawned), made is not None and made[0][:5] == b"%PDF-")
"""
    try:
        r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env_for(tmp_path, True))
        assert r.returncode == 0, r.stderr
        assert r.stdout.split() == ["1", "True"], r.stdout + r.stderr
    finally:
        clean(tmp_path)
