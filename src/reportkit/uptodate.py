"""Is a build already done? Decided from input hashes alone, before anything is loaded or rendered.

The digest covers everything that can change an artifact: every file of the report folder and of the
project's catalogs, the brand and base templates, reportkit's own files, the font files the brand
names, every installed library's version and the build's options. A build records its digest beside the
manifest, in build/.reportkit-builds.json (artifacts.publish; state, so the manifest depends only on
the artifacts); the same digest again, with every recorded artifact still on disk and unchanged,
means there is nothing to do.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from pathlib import Path

SCHEMA = "reportkit-inputs-2"


def _tree(h, root: Path, content: bool) -> None:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", "build", ".git"))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            try:
                st = path.stat()
                if not stat.S_ISREG(st.st_mode):  # a dangling link (an editor's lock file), a FIFO: not read
                    raise OSError
                if content:
                    h.update(f"{rel}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
                else:  # reportkit's own files: size and time are enough (they change on install or edit)
                    h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
            except OSError:
                h.update(f"{rel}\0unreadable\0".encode())


def _installed_packages(h) -> None:
    """The name and version of every installed distribution, from the names of their metadata folders
    (citeproc_py-0.6.0.dist-info): any install or upgrade of a library that shapes an artifact (citeproc-py,
    Babel, Jinja, OpenCC, the engines) is noticed, in a millisecond (importlib.metadata took 60 ms)."""
    import sys

    names = set()
    for entry in sys.path:
        try:
            names.update(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    h.update("\0".join(sorted(names)).encode())


@functools.lru_cache(maxsize=None)
def code_stamp() -> str:
    """reportkit's own files (path, size, mtime) and every installed distribution: a cache key part for a
    result that reportkit's code computes, so an upgrade or an edited checkout never reuses an old one.
    Once per process: the code a process runs is what it loaded."""
    h = hashlib.sha256(SCHEMA.encode())
    _code(h)
    return h.hexdigest()


def _code(h) -> None:
    from . import __file__ as package_file

    _installed_packages(h)
    _tree(h, Path(package_file).parent, content=False)


def input_folders(folder: Path, project, brand: str) -> list[Path]:
    """The folders a build of the report reads, each hashed whole by `digest` and watched by preview: the
    report folder, the project's catalogs and those beside the report (where locales_root reads them), the
    brand's folder and the base templates."""
    from .brand import base_folder, find_brand

    out = [Path(folder), project.locales]
    beside = Path(folder).resolve().parent.parent / "locales"
    if beside.resolve() != project.locales.resolve():
        out.append(beside)
    search = project.style_search()
    brand_folder = find_brand(brand, search)
    if brand_folder is not None:
        out.append(brand_folder)
    return out + [base_folder(search)]


def digest(folder: Path, project, brand: str, options: dict) -> str:
    from .errors import ReportError
    from .fonts import stamp

    h = hashlib.sha256(SCHEMA.encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    roots = input_folders(folder, project, brand)
    h.update("\0".join(map(str, roots)).encode())  # where they are (which folder the brand is found in)
    for root in roots:
        _tree(h, root, content=True)
    _code(h)
    try:  # the font files behind the brand's families, as the build resolves them (defaults included)
        h.update(stamp(tuple(project.brand(brand).families())).encode())
    except ReportError:
        h.update(b"no brand or fonts")  # the build itself reports it
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
