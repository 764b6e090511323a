"""Write artifacts safely and list them: atomic writes into build/, and build/manifest.json."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Artifact:
    report: str
    language: str
    format: str
    engine: str
    path: str
    bytes: int
    sha256: str
    pages: int | None = None
    brand: str = ""
    notes: str = ""
    translation: dict | None = None  # units / translated / fallback / fuzzy


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def pdf_pages(data: bytes) -> int:
    """Page count: Typst writes plain page objects (a byte scan is enough and costs no import);
    PDFs with compressed object streams (WeasyPrint) are read with pikepdf."""
    import re

    count = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    if count:
        return count
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def make(report: str, language: str, fmt: str, engine: str, out: Path, root: Path, data: bytes, **extra) -> Artifact:
    return Artifact(report, language, fmt, engine, out.relative_to(root).as_posix(), len(data),
                    hashlib.sha256(data).hexdigest(), pdf_pages(data) if fmt == "pdf" else None, **extra)


def write_manifest(build_dir: Path, artifacts: list[Artifact]) -> Path:
    """Merge these artifacts into build/manifest.json (replacing entries with the same path)."""
    path = build_dir / "manifest.json"
    entries = {}
    if path.is_file():
        try:
            for item in json.loads(path.read_text(encoding="utf-8")).get("artifacts", []):
                if (build_dir / item["path"]).is_file():
                    entries[item["path"]] = item
        except (ValueError, KeyError, TypeError):
            entries = {}
    for a in artifacts:
        entries[a.path] = asdict(a)
    data = {"generator": "reportkit", "artifacts": sorted(entries.values(), key=lambda x: x["path"])}
    atomic_write(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path
