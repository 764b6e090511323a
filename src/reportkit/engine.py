"""Turn rendered sources into PDFs: Typst in-process (fonts loaded once), WeasyPrint only when asked for."""
from __future__ import annotations

import datetime
import functools
import logging
import re
import threading
from pathlib import Path

from .errors import Diagnostic, Loc, ReportError
from .fonts import typst_fonts

_lock = threading.Lock()
# Set once Typst has compiled in this process: its worker threads exist from then on, and a forked
# child would inherit their locks but not the threads (build.py then compiles in threads instead).
compiled_here = False


@functools.lru_cache(maxsize=16)
def _compiler(root: str, families: tuple[str, ...], thread: int):
    import typst

    # one compiler per thread: a Compiler may not be entered twice at once; it keeps its caches, so a
    # recompile of an edited source in the same process is fast.
    # root sandboxes file access to the report folder: images load from there and nowhere else
    return typst.Compiler(root=root, font_paths=typst_fonts(families))


def typst_pdf(source: str, root: Path, families: tuple[str, ...], timestamp: int, standards=("ua-1",)) -> bytes:
    """Compile Typst source to PDF bytes; raises ReportError with Typst's message on failure."""
    import typst

    global compiled_here
    with _lock:
        compiler = _compiler(str(root.resolve()), families, threading.get_ident())
        compiled_here = True
    try:
        pdf, warnings = compiler.compile_with_warnings(source.encode("utf-8"), format="pdf", timestamp=timestamp,
                                                       pdf_standards=list(standards))
    except typst.TypstError as e:
        raise ReportError([Diagnostic(Loc("typst"), f"the Typst engine failed: {e.message} {_where(e.diagnostic)}; "
                                                    "this is a template or reportkit bug, not a content error")])
    return pdf


def _where(diagnostic: str) -> str:
    m = re.search(r"┌─ (\S+)", diagnostic or "")
    return f"(at {m.group(1)})" if m else ""


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def weasyprint_pdf(html: str, base: Path, timestamp: int) -> tuple[bytes, int]:
    """Print HTML with WeasyPrint (imported here: it costs ~0.6 s). Any ERROR it logs fails the build,
    because WeasyPrint only logs problems such as a link to a missing anchor and carries on.
    Returns the PDF and its page count."""
    import weasyprint

    capture = _Capture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)
    try:
        doc = weasyprint.HTML(string=html, base_url=str(base)).render()
        date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc.metadata.created = doc.metadata.modified = date
        pdf = doc.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
        pages = len(doc.pages)
    finally:
        logger.removeHandler(capture)
    errors = [r for r in capture.records if r.levelno >= logging.ERROR]
    if errors:
        raise ReportError([Diagnostic(Loc("weasyprint"), f"WeasyPrint reported: {r.getMessage()}") for r in errors])
    return pdf, pages
