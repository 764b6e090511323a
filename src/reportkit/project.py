"""The project: the folder holding content/ (and usually locales/ and styles/), found once per command.

Nothing is read from the working directory or the package's location at import time: commands find
the project from the working directory upward (or take --project), and ask it for reports, catalogs
and brands. Brands are looked up in the project's styles/ first, then in the ones reportkit ships.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, Loc, ReportError


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None, explicit: Path | None = None) -> "Project":
        """`explicit` if given, else the nearest folder holding content/ from `start` (the working
        directory) upward; a folder without one is a project of its own (for `reportkit new`)."""
        if explicit is not None:
            root = Path(explicit).resolve()
            if not root.is_dir():
                raise ReportError([Diagnostic(Loc(str(explicit)), "no such project folder; give the folder that holds content/")])
            return cls(root)
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "content").is_dir():
                return cls(folder)
        return cls(here)

    @classmethod
    def of_report(cls, report_folder: Path) -> "Project":
        """The project a report folder belongs to: content/<report>/ sits in the project root."""
        folder = Path(report_folder).resolve()
        if folder.parent.name == "content":
            return cls(folder.parent.parent)
        return cls.find(folder)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def styles(self) -> Path:
        return self.root / "styles"

    def style_search(self) -> list[Path]:
        """Where brands and base templates are looked up: the project's styles/, then reportkit's own."""
        own = [self.styles] if self.styles.is_dir() else []
        builtin = Path(__file__).parent / "styles"  # (brand.builtin_styles; not imported: it loads pydantic)
        return own + [p for p in [builtin] if p.resolve() not in {o.resolve() for o in own}] or [builtin]

    def brand(self, name: str):
        from .brand import load_brand

        return load_brand(name, self.style_search())

    def settings(self) -> dict:
        """[tool.reportkit] of the project's pyproject.toml (default-report, default-brand), if any."""
        path = self.root / "pyproject.toml"
        if not path.is_file():
            return {}
        try:
            return tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("reportkit", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ReportError([Diagnostic(Loc(str(path)), f"cannot read [tool.reportkit]: {e}")])

    def reports(self) -> list[Path]:
        return sorted(p.parent for p in self.content.glob("*/report.yaml")) if self.content.is_dir() else []

    def report_folder(self, arg: str | Path | None) -> Path:
        """The report a command works on: the one named, else the project's default-report, else the
        project's only report."""
        if arg:
            return Path(arg)
        default = self.settings().get("default-report")
        if default:
            return self.root / default
        reports = self.reports()
        if len(reports) == 1:
            return reports[0]
        names = ", ".join(str(p.relative_to(self.root)) for p in reports) or "none"
        raise ReportError([Diagnostic(Loc(str(self.content)), f"which report? give its folder (reports here: {names}), "
                                                              'or set default-report under [tool.reportkit] in pyproject.toml')])

    def recorded(self, d: Diagnostic) -> Diagnostic:
        """A diagnostic as it is recorded (manifest, cache): its file relative to the project, so the
        record is the same from any folder and on any machine."""
        try:
            rel = Path(d.loc.file).resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            return d
        return dataclasses.replace(d, loc=dataclasses.replace(d.loc, file=rel))

    def shown(self, d: Diagnostic) -> Diagnostic:
        """A recorded diagnostic as shown from the working directory."""
        path = self.root / d.loc.file
        if not path.exists():
            return d
        try:
            file = str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            file = str(path)
        return dataclasses.replace(d, loc=dataclasses.replace(d.loc, file=file))

    def default_brand(self) -> str:
        return str(self.settings().get("default-brand") or "dset")
