import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the suite has a cache folder of its own (commands it runs inherit it): no test depends on what a
# user's ~/.cache/reportkit holds, and none leaves anything there
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="reportkit-test-cache-")
# builds compile in-process unless a test turns the resident compiler on (tests/test_resident.py and the
# lifecycle test do, with servers of their own); any server a test starts is stopped at the end
os.environ["REPORTKIT_RESIDENT"] = "0"
os.environ["REPORTKIT_RESIDENT_IDLE"] = "60"
_SESSION_START = __import__("time").time()


def pytest_sessionfinish(session, exitstatus):
    from reportkit import resident

    for folder in {resident.folder(), *Path(tempfile.gettempdir()).glob("rk-*/run/reportkit-*")}:
        for sock in folder.glob("typst-*.sock"):
            if sock.stat().st_mtime >= _SESSION_START:
                resident.stop(sock)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "example"
FLAGSHIP = ROOT / "content" / "four-ounces"


@pytest.fixture
def example_copy(tmp_path):
    """A private copy of the example report inside a project-shaped folder (content/, locales/)."""
    dst = tmp_path / "proj" / "content" / "example"
    shutil.copytree(EXAMPLE, dst)
    return dst


@pytest.fixture(scope="session")
def built_example(tmp_path_factory):
    from reportkit.build import BuildOptions, build

    out = tmp_path_factory.mktemp("build")
    result = build(EXAMPLE, BuildOptions(out=out))
    return out, result


def pdf_text(path) -> str:
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)


def squash(text: str) -> str:
    return " ".join(text.split())
