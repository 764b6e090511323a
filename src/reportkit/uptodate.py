"""Is a build already done? Decided from input hashes alone, before anything is loaded or rendered.

The digest covers everything that can change an artifact: every file of the report folder and of the
project's catalogs, the brand and base templates, reportkit's own files, the font files the brand
names, the engines' versions and the build's options. A build records its digest beside the
manifest, in build/.reportkit-builds.json (artifacts.publish; state, so the manifest depends only on
the artifacts); the same digest again, with every recorded artifact still on disk and unchanged,
means there is nothing to do.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

SCHEMA = "reportkit-inputs-1"


def _tree(h, root: Path, content: bool) -> None:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "build", ".git"))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if content:
                h.update(f"{rel}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
            else:  # reportkit's own files: size and time are enough (they change on install or edit)
                st = path.stat()
                h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def _families(brand_folder: Path | None) -> list[str]:
    """The font families a brand names (read without validating: a wrong brand fails the real build)."""
    import yaml

    try:
        data = yaml.load((brand_folder / "brand.yaml").read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        fonts = data.get("fonts") or {}
        return sorted({str(v) for script in ("latin", "cjk") for v in (fonts.get(script) or {}).values()} | {str(fonts.get("mono") or "")})
    except (OSError, AttributeError, yaml.YAMLError):
        return []


def digest(folder: Path, project, brand: str, options: dict) -> str:
    from . import __file__ as package_file
    from .fonts import installed

    h = hashlib.sha256(SCHEMA.encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    for dist in ("reportkit", "typst", "weasyprint", "uharfbuzz", "fonttools"):
        h.update(f"{dist}={_version(dist)}\0".encode())
    _tree(h, Path(folder), content=True)
    _tree(h, project.locales, content=True)
    beside = Path(folder).resolve().parent.parent / "locales"  # where the catalogs are read from (locales_root)
    if beside.resolve() != project.locales.resolve():
        _tree(h, beside, content=True)
    # the brand as brand.py finds it (not imported here: its schema library costs more than this check)
    search = project.style_search()
    brand_folder = next((d / brand for d in search if (d / brand / "brand.yaml").is_file()), None)
    h.update(str(brand_folder).encode())
    if brand_folder is not None:
        _tree(h, brand_folder, content=True)
    base = next((d / "base" for d in search if (d / "base").is_dir()), None)
    if base is not None:
        _tree(h, base, content=True)
    _tree(h, Path(package_file).parent, content=False)
    table = installed()
    for family in _families(brand_folder):
        for file in sorted(table.get(family, [])):
            try:
                st = os.stat(file)
                h.update(f"{family}\0{file}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
            except OSError:
                h.update(f"{family}\0{file}\0gone\0".encode())
    return h.hexdigest()


def done(out: Path, source: str, inputs: str):
    """(artifacts, warnings) of the recorded build with these inputs if every artifact is still on disk
    as recorded, else None."""
    from .artifacts import Artifact, read_builds, read_manifest

    manifest = read_manifest(Path(out))
    for rid, info in read_builds(Path(out)).items():
        if not isinstance(info, dict) or info.get("source") != source:
            continue
        build = (info.get("builds") or {}).get(inputs)
        if not build:
            return None
        entries = {a["path"]: a for a in manifest["artifacts"]}
        recorded = build.get("artifacts")
        if not isinstance(recorded, dict):
            return None
        found = []
        for path, sha in recorded.items():
            entry = entries.get(path)
            file = Path(out) / path
            try:  # still exactly what that build wrote (not what a later build wrote at the same path)
                if entry is None or entry.get("sha256") != sha or hashlib.sha256(file.read_bytes()).hexdigest() != sha:
                    return None
            except OSError:
                return None
            found.append(Artifact(**{k: v for k, v in entry.items() if k in Artifact.__dataclass_fields__}))
        return found, build.get("warnings") or []
    return None
