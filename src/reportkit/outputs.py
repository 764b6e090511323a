"""The registry of outputs: each (format, engine) pair is one entry here, naming its writer and engine.

A new output format or PDF engine is a writer module (Edition -> source text) and/or an engine function
(source -> bytes and warnings), plus one `register(...)` line below. build.py only reads this table.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Output:
    format: str  # what the reader gets: pdf | html
    engine: str  # typst | weasyprint | html
    suffix: str  # file name after <report>.<lang>
    source_suffix: str  # for --keep-sources: what the engine was given
    render: Callable  # (edition, brand, notes) -> source text
    compile: Callable  # (source, report folder, brand, timestamp) -> (bytes, warnings)
    process_pool: bool = False  # compile in a worker process (the engine holds the GIL)
    cached: bool = False  # compiled bytes are kept in the user cache, keyed by every input
    resident: bool = False  # compile through the resident compiler between builds (resident.py)
    preload: str = ""  # a module the worker process imports while the sources render (it is slow to import)


REGISTRY: dict[tuple[str, str], Output] = {}


def register(output: Output) -> None:
    REGISTRY[(output.format, output.engine)] = output


def get(fmt: str, engine: str) -> Output:
    try:
        return REGISTRY[(fmt, engine)]
    except KeyError:
        known = ", ".join(f"{f} with {e}" for f, e in REGISTRY)
        raise ValueError(f"no output {fmt} with engine {engine}; known: {known}") from None


def engines(fmt: str) -> list[str]:
    return [e for f, e in REGISTRY if f == fmt]


# ---- the outputs reportkit ships ----

def _typst_source(edition, brand, notes) -> str:
    from .render_typst import render_typst

    return render_typst(edition, brand, notes)


def _typst_compile(source: str, root: Path, brand, stamp: int):
    from .engine import typst_pdf

    return typst_pdf(source, root, tuple(brand.families()), stamp)


def _html_source(edition, brand, notes) -> str:
    from .render_html import render_html

    return render_html(edition, brand, notes, webfonts=True)


def _html_compile(source: str, root: Path, brand, stamp: int):
    return source.encode("utf-8"), []


def _paged_source(edition, brand, notes) -> str:
    from .render_html import render_html

    return render_html(edition, brand, notes, paged=True)


def _weasyprint_compile(source: str, root: Path, brand, stamp: int):
    from .engine import weasyprint_pdf

    pdf, _pages, warnings = weasyprint_pdf(source, root, stamp)
    return pdf, warnings


register(Output("pdf", "typst", ".pdf", ".typ", _typst_source, _typst_compile, process_pool=True, cached=True, resident=True))
register(Output("pdf", "weasyprint", ".weasyprint.pdf", ".paged.html", _paged_source, _weasyprint_compile,
                process_pool=True, preload="weasyprint"))
register(Output("html", "html", ".html", "", _html_source, _html_compile))
