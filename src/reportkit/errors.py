"""Diagnostics: a closed set of located messages, and the error that carries them out of a stage."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Loc:
    """Where a value came from: file (as given), 1-based line and column (0 = unknown)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Diagnostic:
    """One finding: an error fails the stage; a warning is listed (and fails only with --strict)."""

    loc: Loc
    message: str
    level: str = "error"  # error | warning

    def __str__(self) -> str:
        if not self.loc.file:  # not about one input file (e.g. the output folder): said by reportkit itself
            return f"reportkit: {self.level}: {self.message}"
        return f"{self.loc}: {self.level}: {self.message}"


class ReportError(Exception):
    """A stage found errors in the input; `diagnostics` lists them all."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class Collector:
    """Gathers diagnostics while a stage runs, so that one run reports every problem at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, loc: Loc, message: str) -> None:
        self.items.append(Diagnostic(loc, message, "error"))

    def warning(self, loc: Loc, message: str) -> None:
        self.items.append(Diagnostic(loc, message, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ReportError(self.errors)


def did_you_mean(word: str, choices) -> str:
    """' (did you mean "x"?)' for the closest choice, or ''."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def diagnostics_data(items) -> list:
    """Diagnostics as JSON-ready lists (kept in the manifest and the cache, then shown again)."""
    return [[d.loc.file, d.loc.line, d.loc.col, d.message, d.level] for d in items]


def diagnostics_from(data) -> list[Diagnostic]:
    return [Diagnostic(Loc(f, line, col), message, level) for f, line, col, message, level in data]


def shown_path(file) -> str:
    """A path as diagnostics print it: relative to the current folder when inside it."""
    p = Path(file)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_posix()
