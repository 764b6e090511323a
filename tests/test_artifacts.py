"""Publishing artifacts: all or nothing, under a lock, one clear line on a full or read-only disk."""
import errno
import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from reportkit import artifacts
from reportkit.artifacts import atomic_write, publish
from reportkit.errors import ReportError


def fake_pdf(text: str, size: int = 0) -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n% " + text.encode() + b"\n" + b"x" * size


def arts(build: Path, report: str, version: str, size: int = 0, langs=("en", "zh-Hant")):
    out = []
    for lang in langs:
        out.append((build / report / f"{report}.{lang}.pdf", fake_pdf(f"{report} {lang} {version}", size),
                    {"report": report, "language": lang, "format": "pdf", "engine": "typst", "brand": "DSET", "notes": "endnotes"}))
        out.append((build / report / f"{report}.{lang}.html", f"<p>{report} {lang} {version}</p>".encode() + b"y" * size,
                    {"report": report, "language": lang, "format": "html", "engine": "jinja2", "brand": "DSET", "notes": "endnotes"}))
    return out


def snapshot(build: Path) -> dict:
    """Every visible file under build/ (staging and lock excluded) -> bytes."""
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*"))
            if p.is_file() and not p.name == artifacts.LOCK and not any(part.startswith(artifacts.STAGING_PREFIX) for part in p.parts)}


def assert_consistent(build: Path) -> dict:
    """The manifest lists exactly the files there are, with their true size and sha256."""
    manifest = json.loads((build / "manifest.json").read_text())
    for a in manifest["artifacts"]:
        data = (build / a["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == a["sha256"] and len(data) == a["bytes"], a["path"]
    listed = {a["path"] for a in manifest["artifacts"]}
    on_disk = {k for k in snapshot(build) if k not in ("manifest.json", artifacts.BUILDS)}  # the builds record is state
    assert listed == on_disk
    assert not list(build.glob(artifacts.STAGING_PREFIX + "*")), "staging left behind"
    return manifest


def test_publish_writes_files_and_manifest(tmp_path):
    build = tmp_path / "build"
    made = publish(build, arts(build, "example", "v1"), "content/example")
    assert [a.path for a in made] == ["example/example.en.pdf", "example/example.en.html",
                                      "example/example.zh-Hant.pdf", "example/example.zh-Hant.html"]
    assert made[0].pages == 1 and made[1].pages is None and made[0].brand == "DSET"
    manifest = assert_consistent(build)
    assert manifest["reports"] == {"example": {"source": "content/example"}}
    assert len(manifest["artifacts"]) == 4 and manifest["generator"] == "reportkit"
    # a later build of fewer editions keeps the others' entries (their files are still there)
    publish(build, arts(build, "example", "v2", langs=("en",)), "content/example")
    manifest = assert_consistent(build)
    assert len(manifest["artifacts"]) == 4
    assert b"v2" in (build / "example" / "example.en.pdf").read_bytes()
    assert b"v1" in (build / "example" / "example.zh-Hant.pdf").read_bytes()


def test_other_reports_entries_are_kept(tmp_path):
    build = tmp_path / "build"
    publish(build, arts(build, "a", "v1"), "content/a")
    publish(build, arts(build, "b", "v1"), "content/b")
    publish(build, arts(build, "a", "v2"), "content/a")
    manifest = assert_consistent(build)
    assert {x["report"] for x in manifest["artifacts"]} == {"a", "b"} and len(manifest["artifacts"]) == 8
    assert manifest["reports"] == {"a": {"source": "content/a"}, "b": {"source": "content/b"}}


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_permissions_follow_the_umask(tmp_path, mask, mode):
    build = tmp_path / "build"
    old = os.umask(mask)
    try:
        publish(build, arts(build, "example", "v1"), "content/example")
        atomic_write(tmp_path / "single.bin", b"data")
    finally:
        os.umask(old)
    for p in [build / "manifest.json", *(build / "example").iterdir(), tmp_path / "single.bin"]:
        assert p.stat().st_mode & 0o777 == mode, p


def full_disk_after(monkeypatch, budget: int):
    """os.write succeeds for `budget` bytes in all, then fails as a full disk does."""
    real = os.write
    left = [budget]

    def write(fd, data):
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real(fd, bytes(data)[: left[0]])
        left[0] -= n
        return n

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("budget", [0, 10, 3000, 9000])
def test_full_disk_midway_changes_nothing(tmp_path, monkeypatch, budget):
    build = tmp_path / "build"
    publish(build, arts(build, "example", "v1", size=1000), "content/example")
    before = snapshot(build)
    full_disk_after(monkeypatch, budget)
    with pytest.raises(ReportError) as e:
        publish(build, arts(build, "example", "v2", size=2000), "content/example")
    monkeypatch.undo()
    message = str(e.value)
    assert "\n" not in message
    assert message == (f"reportkit: error: cannot write {build / 'example'}: No space left on device; "
                       "free space or choose another --out")
    assert snapshot(build) == before
    assert_consistent(build)


def test_first_build_on_a_full_disk_leaves_no_manifest(tmp_path, monkeypatch):
    build = tmp_path / "build"
    full_disk_after(monkeypatch, 100)
    with pytest.raises(ReportError):
        publish(build, arts(build, "example", "v1", size=1000), "content/example")
    monkeypatch.undo()
    assert snapshot(build) == {}
    assert sorted(p.name for p in build.iterdir()) == [artifacts.LOCK]  # no empty report folder either


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_real_full_disk(tmpfs):
    build = tmpfs / "build"
    publish(build, arts(build, "example", "v1", size=10_000), "content/example")
    before = snapshot(build)
    with pytest.raises(ReportError) as e:
        publish(build, arts(build, "example", "v2", size=60_000), "content/example")
    assert "No space left on device; free space or choose another --out" in str(e.value)
    assert snapshot(build) == before
    assert_consistent(build)
    # and once there is room again the build goes through
    publish(build, arts(build, "example", "v3", size=10_000), "content/example")
    assert b"v3" in (build / "example" / "example.en.pdf").read_bytes()
    assert_consistent(build)


def test_read_only_file_system(tmpfs):
    build = tmpfs / "build"
    publish(build, arts(build, "example", "v1"), "content/example")
    before = snapshot(build)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    with pytest.raises(ReportError) as e:
        publish(build, arts(build, "example", "v2"), "content/example")
    assert str(e.value).startswith(f"reportkit: error: cannot write {build}")
    assert "Read-only file system; the file system is read-only; choose another --out" in str(e.value)
    assert "\n" not in str(e.value)
    assert snapshot(build) == before
    # a build folder that does not exist yet on a read-only disk
    with pytest.raises(ReportError) as e:
        publish(tmpfs / "new", arts(tmpfs / "new", "example", "v2"), "content/example")
    assert f"cannot write {tmpfs / 'new'}: Read-only file system" in str(e.value)


def test_permission_denied(tmp_path, monkeypatch):
    build = tmp_path / "build"
    publish(build, arts(build, "example", "v1"), "content/example")
    before = snapshot(build)
    real_open = os.open

    def deny(path, flags, *a, **kw):  # as root chmod 0555 stops nothing: deny new files instead
        if flags & os.O_CREAT and not str(path).endswith(artifacts.LOCK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(ReportError) as e:
        publish(build, arts(build, "example", "v2"), "content/example")
    monkeypatch.undo()
    assert str(e.value) == (f"reportkit: error: cannot write {build / 'example'}: Permission denied; "
                            "check the folder's permissions or choose another --out")
    assert snapshot(build) == before


def test_rename_failing_midway_puts_previous_files_back(tmp_path, monkeypatch):
    build = tmp_path / "build"
    publish(build, arts(build, "example", "v1", langs=("en",)), "content/example")
    before = snapshot(build)
    real = os.replace
    calls = [0]

    def replace(src, dst):
        calls[0] += 1
        if calls[0] == 3:  # the first two files are in place: the third rename fails
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    # a third edition whose file did not exist before must disappear again too
    with pytest.raises(ReportError):
        publish(build, arts(build, "example", "v2", langs=("en", "fr")), "content/example")
    monkeypatch.undo()
    assert snapshot(build) == before
    assert_consistent(build)


def test_same_id_from_another_folder_is_refused(tmp_path):
    build = tmp_path / "build"
    publish(build, arts(build, "example", "v1"), "content/example")
    before = snapshot(build)
    with pytest.raises(ReportError) as e:
        publish(build, arts(build, "example", "v2"), "content/copy-of-example")
    message = str(e.value)
    assert "\n" not in message
    assert 'report id "example" of content/copy-of-example was already built here from content/example' in message
    assert snapshot(build) == before
    with pytest.raises(ReportError):
        artifacts.check_source(build, "example", "content/copy-of-example")
    artifacts.check_source(build, "example", "content/example")  # the same folder again is fine
    # once the old report's output is gone, the id is free again
    for p in (build / "example").iterdir():
        p.unlink()
    publish(build, arts(build, "example", "v2"), "content/copy-of-example")
    assert assert_consistent(build)["reports"] == {"example": {"source": "content/copy-of-example"}}


def test_concurrent_publishes_in_threads_lose_nothing(tmp_path):
    build = tmp_path / "build"
    errors = []

    def worker(name):
        try:
            for i in range(15):
                publish(build, arts(build, name, f"v{i}", langs=("en",)), f"content/{name}")
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(f"r{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    manifest = assert_consistent(build)
    assert len(manifest["artifacts"]) == 8 and set(manifest["reports"]) == {"r0", "r1", "r2", "r3"}


def _process_worker(build, name):
    build = Path(build)
    for i in range(15):
        publish(build, arts(build, name, f"v{i}", langs=("en",)), f"content/{name}")


def test_concurrent_publishes_in_processes_lose_nothing(tmp_path):
    build = tmp_path / "build"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_process_worker, args=(str(build), f"r{n}")) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    manifest = assert_consistent(build)
    assert len(manifest["artifacts"]) == 8 and set(manifest["reports"]) == {"r0", "r1", "r2", "r3"}


def test_ctrl_c_during_the_swap_waits_until_it_is_done(tmp_path, monkeypatch):
    build = tmp_path / "build"
    publish(build, arts(build, "example", "v1"), "content/example")
    real = os.replace
    sent = []

    def replace(src, dst):
        if not sent:
            sent.append(1)
            os.kill(os.getpid(), signal.SIGINT)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        publish(build, arts(build, "example", "v2"), "content/example")
    monkeypatch.undo()
    assert sent
    assert all(b"v2" in (build / "example" / n).read_bytes() for n in ("example.en.pdf", "example.zh-Hant.html"))
    assert_consistent(build)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_staging_changes_nothing(tmp_path, monkeypatch):
    build = tmp_path / "build"
    publish(build, arts(build, "example", "v1"), "content/example")
    before = snapshot(build)
    real = os.write
    calls = [0]

    def write(fd, data):
        calls[0] += 1
        if calls[0] == 3:
            raise KeyboardInterrupt
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(KeyboardInterrupt):
        publish(build, arts(build, "example", "v2"), "content/example")
    monkeypatch.undo()
    assert snapshot(build) == before
    assert_consistent(build)


def test_stale_staging_of_a_killed_build_is_removed(tmp_path):
    build = tmp_path / "build"
    (build / (artifacts.STAGING_PREFIX + "dead")).mkdir(parents=True)
    (build / (artifacts.STAGING_PREFIX + "dead") / "x.pdf").write_bytes(b"half")
    publish(build, arts(build, "example", "v1"), "content/example")
    assert_consistent(build)


def test_atomic_write_replaces_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "sub" / "f.bin"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two" and [p.name for p in path.parent.iterdir()] == ["f.bin"]


# ---------------- the command: OSError and Ctrl-C are one line ----------------

def run_main(monkeypatch, capsys, body, argv=("check",)):
    from reportkit import cli

    monkeypatch.setattr(cli, "cmd_check", lambda a: body())
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


def test_main_oserror_on_write_is_one_line(monkeypatch, capsys, tmp_path):
    def full():
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "build/example/example.en.pdf")

    assert run_main(monkeypatch, capsys, full) == (1, "reportkit: cannot write build/example/example.en.pdf: No space left on device\n")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, err = run_main(monkeypatch, capsys, lambda: (blocker / "out.json").write_text("{}"))
    assert (code, err) == (1, f"reportkit: cannot write {blocker / 'out.json'}: Not a directory\n")


def test_main_oserror_on_read_is_one_line(monkeypatch, capsys, tmp_path):
    code, err = run_main(monkeypatch, capsys, lambda: (tmp_path / "missing.yaml").read_text())
    assert (code, err) == (1, f"reportkit: cannot read {tmp_path / 'missing.yaml'}: No such file or directory\n")


def test_main_report_error_from_publish_is_one_line(monkeypatch, capsys, tmp_path):
    build = tmp_path / "build"
    full_disk_after(monkeypatch, 0)
    code, err = run_main(monkeypatch, capsys, lambda: publish(build, arts(build, "example", "v1"), "content/example"))
    assert code == 1
    assert err == f"reportkit: error: cannot write {build / 'example'}: No space left on device; free space or choose another --out\n"


def test_main_ctrl_c(monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    assert run_main(monkeypatch, capsys, interrupted) == (130, "reportkit: interrupted\n")


SLEEPER = """
import sys, time
from reportkit import cli
def slow(a):
    print("started", flush=True)
    time.sleep(60)
cli.cmd_check = slow
sys.exit(cli.main())
"""


def test_ctrl_c_in_a_real_process_is_quick_and_quiet(tmp_path):
    import sys
    import time

    p = subprocess.Popen([sys.executable, "-c", SLEEPER, "check"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "started\n"
    t = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 130 and err == "reportkit: interrupted\n"
    assert time.monotonic() - t < 2


def test_preflight_report_on_a_read_only_disk_is_one_line(tmpfs, tmp_path):
    import sys

    (tmp_path / "manifest.json").write_text('{"artifacts": []}')
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    r = subprocess.run([sys.executable, "-m", "reportkit", "preflight", str(tmp_path), "--json-out", str(tmpfs / "p.json")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stderr == f"reportkit: cannot write {tmpfs / 'p.json'}: Read-only file system\n"


BUSY = """
import sys, threading, time
from reportkit import cli
def slow(a):
    threading.Thread(target=time.sleep, args=(60,)).start()  # a worker that will not stop by itself
    print("started", flush=True)
    time.sleep(60)
cli.cmd_check = slow
sys.exit(cli.main())
"""


def test_ctrl_c_does_not_wait_for_busy_workers(tmp_path):
    import sys
    import time

    p = subprocess.Popen([sys.executable, "-c", BUSY, "check"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "started\n"
    t = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 130 and err == "reportkit: interrupted\n"
    assert time.monotonic() - t < 3


def test_wait_idle_waits_for_a_swap_in_progress():
    import time

    assert artifacts.wait_idle(0.1)
    with artifacts._swapping:
        t = time.monotonic()
        assert not artifacts.wait_idle(0.2)
        assert time.monotonic() - t >= 0.2
    assert artifacts.wait_idle(0.1)
