"""Turn rendered sources into PDFs: Typst in-process (fonts loaded once), WeasyPrint only when asked for."""
from __future__ import annotations

import datetime
import logging
import re
import threading
from collections import OrderedDict
from pathlib import Path

from .errors import Diagnostic, Loc, ReportError
from .fonts import typst_fonts

_lock = threading.Lock()
# Set once Typst has compiled in this process: its worker threads exist from then on, and a forked
# child would inherit their locks but not the threads (build.py then compiles in threads instead).
compiled_here = False


_compilers: OrderedDict = OrderedDict()
MAX_COMPILERS = 8  # a long-lived process (preview, a test session) keeps only the recent ones


def _steady_malloc() -> None:
    """Fix glibc's mmap threshold at its starting value (128 KiB). Left dynamic, it rises as Typst frees
    large blocks, later large blocks then come from the heap and stay there: a 650-page compile peaked
    28 MB higher, at no gain in time. Elsewhere than glibc this does nothing."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (ImportError, OSError, AttributeError):  # no ctypes, no glibc
        pass


def _compiler(root: str, families: tuple[str, ...], thread: int, fonts: str = ""):
    """One compiler per report folder, fonts and thread: a Compiler may not be entered twice at once; it
    keeps its caches, so a recompile of an edited source in the same process is fast. root sandboxes
    file access to the report folder: images load from there and nowhere else."""
    key = (root, families, thread, fonts)
    if key not in _compilers:
        import typst

        if not _compilers:
            _steady_malloc()

        _compilers[key] = typst.Compiler(root=root, font_paths=typst_fonts(families, fonts))
        while len(_compilers) > MAX_COMPILERS:
            _compilers.popitem(last=False)
    _compilers.move_to_end(key)
    return _compilers[key]


def forget(root: str, families: tuple[str, ...]) -> None:
    """Drop the compilers of a report folder (a long-lived process keeps only the recent ones)."""
    with _lock:
        for key in [k for k in _compilers if k[:2] == (str(Path(root).resolve()), tuple(families))]:
            del _compilers[key]


def date_rule(timestamp: int) -> str:
    """The Typst set rule that makes `timestamp` the document's date (PDF Info and XMP dates)."""
    d = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    return (f"#set document(date: datetime(year: {d.year}, month: {d.month}, day: {d.day}, "
            f"hour: {d.hour}, minute: {d.minute}, second: {d.second}))")


def typst_pdf(source: str, root: Path, families: tuple[str, ...], timestamp: int,
              standards=("ua-1",), fonts: str = "") -> tuple[bytes, list[Diagnostic]]:
    """Compile Typst source to PDF bytes and Typst's warnings; raises ReportError with Typst's message
    on failure.

    Dates: `timestamp` (seconds since 1970, UTC) is the only date of the PDF. It is Typst's "now"
    (datetime.today(), the PDF file identifier) and, through a set rule appended to the source, the
    document date (PDF Info CreationDate/ModDate and XMP dates), overriding any date the template
    sets. Nothing is read from the clock or the environment (SOURCE_DATE_EPOCH included): the
    caller decides, e.g. the report's date, so the same input gives the same bytes anywhere.
    `fonts`: a digest of the font files (fonts.font_stamps); a long-lived process passes it so that
    fonts updated on disk are loaded anew, never served from memory."""
    import typst

    global compiled_here
    with _lock:
        compiler = _compiler(str(root.resolve()), families, threading.get_ident(), fonts)
        compiled_here = True
    source = f"{source}\n// reportkit: the one date of this PDF (engine.typst_pdf)\n{date_rule(timestamp)}\n"
    try:
        pdf, warnings = compiler.compile_with_warnings(source.encode("utf-8"), format="pdf", timestamp=timestamp,
                                                       pdf_standards=list(standards))
    except typst.TypstError as e:
        raise ReportError([Diagnostic(Loc("typst"), f"the Typst engine failed: {e.message} {_where(e.diagnostic)}; "
                                                    "this is a template or reportkit bug, not a content error")])
    return pdf, [_warning(w, root) for w in warnings or []]


_SPAN = re.compile(r"┌─ (.+?):(\d+):(\d+)\s*$", re.M)


def _loc(diagnostic: str, root: Path) -> Loc:
    """Where a Typst diagnostic points: the report folder's file, or "typst" (the generated source)."""
    m = _SPAN.search(diagnostic or "")
    if not m:
        return Loc("typst")
    name, line, col = m.group(1), int(m.group(2)), int(m.group(3))
    if Path(name).name.startswith("__typst_py_bytes__"):
        return Loc("typst", line, col)
    if name.startswith("/"):  # a path from the report folder, as Typst names files under its root
        name = str(Path(root) / name.lstrip("/"))
    return Loc(name, line, col)


def _warning(w, root: Path) -> Diagnostic:
    message = getattr(w, "message", None) or str(w)
    hints = [h for h in (getattr(w, "hints", None) or []) if h]
    if hints:
        message += " (" + "; ".join(f"hint: {h}" for h in hints) + ")"
    return Diagnostic(_loc(getattr(w, "diagnostic", "") or "", root), f"Typst: {message}", "warning")


def _where(diagnostic: str) -> str:
    m = re.search(r"┌─ (\S+)", diagnostic or "")
    return f"(at {m.group(1)})" if m else ""


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def weasyprint_pdf(html: str, base: Path, timestamp: int) -> tuple[bytes, int, list[Diagnostic]]:
    """Print HTML with WeasyPrint (imported here: it costs ~0.6 s). Any ERROR it logs fails the build,
    because WeasyPrint only logs problems such as a link to a missing anchor and carries on; its
    WARNING records come back as warning Diagnostics (each message once).
    Dates: `timestamp` is the PDF's only date (metadata created and modified).
    Returns the PDF, its page count and the warnings."""
    import weasyprint

    _no_hyphenated_names()
    capture = _Capture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)
    try:
        doc = weasyprint.HTML(string=html, base_url=str(base)).render()
        date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc.metadata.created = doc.metadata.modified = date
        # the page labels go into the catalog before WeasyPrint writes the file (a second pass through
        # pikepdf cost 0.25 s on the flagship). No file identifier (optional in PDF 1.7 and in PDF/UA-1):
        # pydyf makes one by compressing every stream a second time, 0.45 s of the flagship's 7 s.
        pdf = doc.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False,
                            finisher=_page_labels(_label_ranges(doc)))
        pages = len(doc.pages)
    finally:
        logger.removeHandler(capture)
    errors = [r for r in capture.records if r.levelno >= logging.ERROR]
    if errors:
        raise ReportError([Diagnostic(Loc("weasyprint"), f"WeasyPrint reported: {r.getMessage()}") for r in errors])
    warnings: list[Diagnostic] = []
    for r in capture.records:
        d = Diagnostic(Loc("weasyprint"), f"WeasyPrint: {r.getMessage()}", "warning")
        if d not in warnings:
            warnings.append(d)
    return pdf, pages, warnings


# The anchors render_html puts where the page numbering changes in print (paged.css): the main matter
# restarts at 1; the back cover has no number.
MAIN_ANCHOR, BACK_ANCHOR = "mainmatter", "back-cover"


def _label_ranges(doc) -> list[tuple[int, dict]]:
    """(first page index, label) for each run of pages, as the Typst edition labels them: the cover
    none, the front matter lower-roman from ii, the main matter arabic from 1, the back cover none.
    [] when the page has no main-matter anchor (not a reportkit print page)."""
    index = {}
    for i, page in enumerate(doc.pages):
        for name in (MAIN_ANCHOR, BACK_ANCHOR):
            if name in page.anchors and name not in index:
                index[name] = i
    main = index.get(MAIN_ANCHOR)
    if main is None:
        return []
    ranges = [(0, {})]
    if main > 1:
        ranges.append((1, {"S": "r", "St": 2}))
    ranges.append((main, {"S": "D", "St": 1}))
    back = index.get(BACK_ANCHOR)
    if back is not None and back > main:
        ranges.append((back, {}))
    return ranges


def _page_labels(ranges: list[tuple[int, dict]]):
    """A WeasyPrint finisher that adds /PageLabels (what a PDF viewer shows as the page number: "iv",
    "12"), which WeasyPrint does not write, to the catalog."""
    def finish(_document, pdf) -> None:
        if not ranges:
            return
        import pydyf

        nums = pydyf.Array()
        for first, label in ranges:
            entry = pydyf.Dictionary({"Type": "/PageLabel"})
            if "S" in label:
                entry["S"] = "/" + label["S"]
                entry["St"] = label["St"]
            nums.extend([first, entry])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})

    return finish


def _no_hyphenated_names() -> None:
    """WeasyPrint hyphenates every word its pyphen patterns know, proper names included ("Hua-wei's");
    reportkit never hyphenates a capitalised word. WeasyPrint looks its dictionaries up through the
    `pyphen` name of its line-breaking module: that name gets pyphen with a Pyphen whose dictionaries
    offer no break in a word that starts with a capital letter (once per process; the language
    patterns stay each language's own, English without a region is American)."""
    from weasyprint.text import line_break

    if getattr(line_break.pyphen, "reportkit_names", False):
        return
    import types

    import pyphen

    class Pyphen(pyphen.Pyphen):
        def iterate(self, word):
            if word.lstrip("\"'“‘([")[:1].isupper():
                return iter(())
            return super().iterate(word)

    shim = types.ModuleType("pyphen")
    shim.__dict__.update({k: v for k, v in vars(pyphen).items() if not k.startswith("__")})
    shim.Pyphen = Pyphen
    # pyphen's "en" patterns are British ("applic-ations"); English without a region is set as American,
    # as its spelling is ("appli-cations"), the locale reportkit gives it elsewhere (en_US)
    shim.language_fallback = lambda lang: pyphen.language_fallback("en_US" if lang.lower() == "en" else lang)
    shim.reportkit_names = True
    line_break.pyphen = shim
