"""`reportkit preview`: serves the HTML editions on localhost and follows every change.

One preview process on a copy of content/example: an edited paragraph appears in the served page, a
replaced figure changes it, broken YAML shows an error overlay with file:line (and fixing it clears
it), the PDF is rebuilt alongside, and SIGTERM ends the process cleanly.
"""
from __future__ import annotations

import base64
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8")


def _wait(predicate, timeout: float, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def test_preview_serves_and_follows_changes(example_copy, tmp_path):
    project = example_copy.parent.parent
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "reportkit", "--project", str(project), "preview", str(example_copy),
                             "--port", "0", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    lines: queue.Queue = queue.Queue()
    log: list[str] = []

    def pump():
        for line in proc.stdout:
            log.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        url = None
        end = time.monotonic() + 60
        while url is None and time.monotonic() < end:
            try:
                m = re.search(r"serving (http://127\.0\.0\.1:\d+/)", lines.get(timeout=1))
                url = m.group(1) if m else None
            except queue.Empty:
                assert proc.poll() is None, "".join(log)
        assert url, "".join(log)

        page = _get(url)
        assert "Reading the Example Report" in page
        assert 'id="rk-preview"' in page and "/__version" in page  # the reload script, in the served page only
        version = json.loads(_get(url + "__version"))["version"]

        # an edited paragraph is served after the next rebuild
        summary = example_copy / "summary.yaml"
        original = summary.read_text()
        summary.write_text(original.replace("This summary previews", "This freshly edited summary previews"))
        t0 = time.monotonic()
        assert _wait(lambda: "This freshly edited summary previews" in _get(url), 10), "".join(log)
        latency = time.monotonic() - t0
        print(f"edit-to-served latency: {latency:.2f} s")
        assert json.loads(_get(url + "__version"))["version"] > version
        assert latency < 5

        # a replaced figure changes the page (images are inlined as data URIs)
        svg = example_copy / "figures" / "flow.svg"
        new_svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
                   '<rect width="120" height="40" fill="#c33"/><text x="6" y="26">replaced figure</text></svg>\n')
        svg.write_text(new_svg)
        encoded = base64.b64encode(new_svg.encode()).decode()
        assert _wait(lambda: encoded in _get(url), 10), "".join(log[-20:])

        # broken YAML: the page shows an overlay with file:line, the terminal prints it
        summary.write_text(original.replace("blocks:", "blocks: [", 1))
        page = _wait(lambda: (lambda p: p if 'class="rk-error"' in p else None)(_get(url)), 10)
        assert page, "".join(log[-20:])
        assert re.search(r"summary\.yaml:\d+(:\d+)?: error", page), page[page.find('class="rk-error"'):][:500]
        assert "This freshly edited summary previews" in page  # the last good page stays under the overlay
        assert json.loads(_get(url + "__version"))["errors"]
        assert _wait(lambda: any("summary.yaml:" in line and "error" in line for line in log), 5)

        # fixed again: the errors go (the content's warnings stay listed)
        summary.write_text(original)
        assert _wait(lambda: 'class="rk-error"' not in _get(url) and "This summary previews" in _get(url), 10)

        # the PDF is rebuilt alongside and linked from the page
        def pdf_ready():
            status = json.loads(_get(url + "__version"))
            entry = status["pdf"].get("en")
            return entry if entry and entry["status"] == "ok" else None

        entry = _wait(pdf_ready, 90, 0.2)
        assert entry, "".join(log[-20:])
        pdf_path = out / "example" / "example.en.preview.pdf"
        assert pdf_path.is_file() and pdf_path.read_bytes().startswith(b"%PDF")
        assert entry["href"] in _get(url)
        with urllib.request.urlopen(url.rstrip("/") + entry["href"], timeout=10) as r:
            assert r.read(5) == b"%PDF-"
        assert not list(out.rglob("*.html"))  # nothing but the preview PDFs is written
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, "".join(log[-20:])
    assert "preview: stopped" in "".join(log)
