"""Preflight: judge built artifacts with independent tools, as a print shop would before release.

build/manifest.json -> one verdict line per artifact, a summary, build/preflight.json; exit 1 on any
failure. PDFs: pdffonts, pdfinfo, pdftotext, qpdf --check and pikepdf (structure, links, .notdef).
HTML: the Nu Html Checker (vnu.jar), axe-core in headless Chromium (playwright-core), link targets,
requests leaving the machine. Catalogs: msgfmt --check. Consistency: sha256, counts across editions.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

FORMATS = ("pdf", "html")  # what preflight knows how to judge; any other format fails


def _checkout() -> Path:
    """reportkit's own source checkout (where scripts/setup.sh installs tools/node_modules)."""
    return Path(__file__).resolve().parents[2]


def default_project() -> Path:
    """The project preflight judges when none is named: the current folder (computed when asked, not at import)."""
    return Path.cwd()


def tools_dir(project: Path | None = None) -> Path:
    """tools/node_modules: the project's own if it has one, else the one beside reportkit's checkout."""
    candidates = ([Path(project) / "tools" / "node_modules"] if project is not None else []) + \
        [default_project() / "tools" / "node_modules", _checkout() / "tools" / "node_modules"]
    return next((p for p in candidates if p.is_dir()), candidates[-1])


def vnu_jar(project: Path | None = None) -> Path:
    return tools_dir(project) / "vnu-jar" / "build" / "dist" / "vnu.jar"


# CSS the Nu checker does not know: CSS Paged Media and newer properties. Only these are filtered.
VNU_FILTERS = (r"“string-set”", r"“leader\(", r"“target-counter", r"@page", r"“text-wrap”", r"“line-break”",
               r"“font-display”")


@dataclass
class Verdict:
    path: str
    kind: str
    failures: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0

    def check(self, name: str, ok: bool, why: str = "") -> None:
        self.checks.append(name)
        if not ok:
            self.failures.append(f"{name}: {why}" if why else name)


def tool(name: str) -> bool:
    return shutil.which(name) is not None


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---------------- PDF ----------------

def check_pdf(path: Path, lang: str, v: Verdict) -> None:
    import pikepdf

    if tool("pdffonts"):
        out = run(["pdffonts", str(path)]).stdout.splitlines()[2:]
        names = [l.split()[0] for l in out if l.strip()]
        unembedded = [l.split()[0] for l in out if l.strip() and _emb_column(l) != "yes"]
        v.check("fonts embedded", not unembedded, f"not embedded: {', '.join(unembedded)}")
        if lang.startswith("zh-Hant"):
            tc = [n for n in names if re.search(r"CJK-?tc|CJK-?TC|\bTC\b|-TC", n)]
            other = [n for n in names if re.search(r"CJK-?(jp|sc|kr|JP|SC|KR)", n)]
            v.check("Traditional Chinese face", bool(tc) and not other, f"TC faces {tc or 'none'}, other CJK faces {other}")
    else:
        v.skipped.append("pdffonts")
    if tool("qpdf"):
        r = run(["qpdf", "--check", str(path)])
        v.check("qpdf --check", r.returncode in (0, 3) and "ERROR" not in r.stdout + r.stderr, (r.stdout + r.stderr).strip()[-200:])
    else:
        v.skipped.append("qpdf")
    if tool("pdftotext"):
        v.check("no U+FFFD in text", not _text_has(path, "\ufffd".encode()), "replacement characters in the extracted text")
    else:
        v.skipped.append("pdftotext")
    with pikepdf.open(path) as pdf:
        info = pdf.open_metadata()
        title = str(info.get("dc:title") or pdf.docinfo.get("/Title") or "")
        author = str(info.get("dc:creator") or pdf.docinfo.get("/Author") or "")
        v.check("title", bool(title.strip()), "no document title")
        v.check("author", bool(author.strip()), "no document author")
        doc_lang = str(pdf.Root.get("/Lang", ""))
        v.check("language", doc_lang.split("-")[0].lower() == lang.split("-")[0].lower(), f"/Lang is {doc_lang!r}, edition is {lang}")
        outline = pdf.open_outline()
        v.check("outline", len(outline.root) > 0, "no bookmarks")
        mark = pdf.Root.get("/MarkInfo")
        v.check("tagged PDF", bool(mark and mark.get("/Marked")) and "/StructTreeRoot" in pdf.Root, "no /MarkInfo /Marked or /StructTreeRoot")
        figures, tables, missing_alt = _structure(pdf)
        v.check("figures have alt text", not missing_alt, f"{missing_alt} /Figure elements without /Alt")
        named = _named_destinations(pdf)
        page_ids = {p.objgen for p in pdf.pages}
        dangling = []
        for page in pdf.pages:
            for annot in page.get("/Annots") or []:
                if annot.get("/Subtype") != "/Link":
                    continue
                dest = annot.get("/Dest")
                action = annot.get("/A")
                if dest is None and action is not None and action.get("/S") == "/GoTo":
                    dest = action.get("/D")
                if dest is None:
                    continue
                if isinstance(dest, (pikepdf.String, pikepdf.Name)):
                    if str(dest).lstrip("/") not in named:
                        dangling.append(str(dest))
                elif isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen not in page_ids:
                    dangling.append(repr(dest[0]))
        v.check("internal links resolve", not dangling, f"{len(dangling)} dangling: {', '.join(dangling[:3])}")
        notdef = _notdef_pages(pdf)
        v.check("no .notdef glyphs", not notdef, f"empty-box glyphs on pages {notdef[:5]}")
        v.counts = {"tables": tables, "figures": figures, "notes": _endnotes(pdf, path)}


def _text_has(path: Path, needle: bytes, first_page: int = 0) -> bool:
    """Whether pdftotext's output holds `needle`, read as a stream (a long PDF's text is never held whole)."""
    cmd = ["pdftotext", "-enc", "UTF-8", *(["-f", str(first_page)] if first_page else []), str(path), "-"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        tail, found = b"", False
        for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):
            if needle in tail + chunk:
                found = True
            tail = chunk[-(len(needle) - 1):]
        proc.wait()
    return found


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _emb_column(line: str) -> str:
    parts = line.split()
    return parts[-5] if len(parts) >= 5 else ""


def _structure(pdf):
    """Count /Figure and /Table structure elements and figures without /Alt."""
    import pikepdf

    figures = tables = missing_alt = 0
    stack = [pdf.Root.get("/StructTreeRoot")]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(list(node))
        elif isinstance(node, pikepdf.Dictionary):
            s = str(node.get("/S", ""))
            if s == "/Figure":
                figures += 1
                missing_alt += "/Alt" not in node
            elif s == "/Table":
                tables += 1
            if "/K" in node:
                stack.append(node.K)
    return figures, tables, missing_alt


def _endnotes(pdf, path: Path) -> int:
    """Numbered entries ("1.", "2.", ...) from the page of the last bookmark (the notes list) onward."""
    outline = pdf.open_outline()
    if not len(outline.root) or not tool("pdftotext"):
        return 0
    last = outline.root[-1]
    try:
        first_page = pdf.pages.index(pdf.get_object(last.destination[0].objgen)) + 1 if last.destination is not None else 0
    except Exception:  # noqa: BLE001 - named or odd destinations: count nothing rather than guess
        return 0
    found: set[int] = set()
    cmd = ["pdftotext", "-enc", "UTF-8", "-f", str(first_page), str(path), "-"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
                          errors="replace") as proc:
        for line in proc.stdout:  # line by line: the notes pages' text is never held whole
            m = re.match(r"\s*(\d+)\.\s", line)
            if m:
                found.add(int(m.group(1)))
        proc.wait()
    # the extractor may emit a grid's labels out of order (a long note's label after the next ones):
    # count the unbroken run 1, 2, 3, ... wherever each label stands
    n = 0
    while n + 1 in found:
        n += 1
    return n


def _named_destinations(pdf) -> set:
    names = set()
    dests = pdf.Root.get("/Dests")
    if dests is not None:
        names.update(str(k).lstrip("/") for k in dests.keys())
    tree = pdf.Root.get("/Names")
    if tree is not None and tree.get("/Dests") is not None:
        stack = [tree.Dests]
        while stack:
            node = stack.pop()
            arr = node.get("/Names")
            if arr is not None:
                names.update(str(arr[i]) for i in range(0, len(arr), 2))
            stack.extend(node.get("/Kids") or [])
    return names


def _notdef_pages(pdf) -> list:
    """Pages that draw glyph 0 (.notdef, an empty box) with a two-byte (Identity-H) font."""
    import pikepdf

    bad = []
    for number, page in enumerate(pdf.pages, 1):
        fonts = page.Resources.get("/Font") or {}
        two_byte = {str(k) for k, f in fonts.items() if f.get("/Subtype") == "/Type0"}
        current = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf":
                current = str(operands[0])
            elif op in ("Tj", "TJ", "'", '"') and current in two_byte:
                strings = operands[0] if op == "TJ" else [operands[-1]]
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        b = bytes(s)
                        if any(b[i] == 0 and b[i + 1] == 0 for i in range(0, len(b) - 1, 2)):
                            bad.append(number)
                            break
                if bad and bad[-1] == number:
                    break
    return bad


# ---------------- HTML ----------------

class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.counts = set(), [], {"tables": 0, "figures": 0, "notes": 0}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
            if re.fullmatch(r"note-\d+", a["id"] or ""):
                self.counts["notes"] += 1
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.hrefs.append(a["href"][1:])
        if tag == "figure":
            cls = (a.get("class") or "").split()
            if "table" in cls:
                self.counts["tables"] += 1
            elif "figure" in cls:
                self.counts["figures"] += 1


def check_html_static(path: Path, v: Verdict) -> None:
    p = _Anchors()
    p.feed(path.read_text(encoding="utf-8"))
    missing = sorted({h for h in p.hrefs if h and h not in p.ids})
    v.check("in-page link targets exist", not missing, f"no element with id {', '.join(missing[:5])}")
    v.counts = p.counts


# The JVM's default heap is a quarter of the machine's memory, and it uses it: 1.2 GB resident for the
# flagship's two HTML editions on a 24 GB machine. A bounded heap, the serial collector and the client
# compiler check the same files in 0.3 GB, faster; vnu needs a deeper thread stack than the default.
VNU_JAVA_OPTS = ("-Xss4m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")


def run_vnu(paths: list[Path], verdicts: dict, require_all: bool, project: Path | None = None) -> None:
    VNU = vnu_jar(project)
    if not (tool("java") and VNU.is_file()):
        for path in paths:
            verdicts[str(path)].skipped.append("Nu Html Checker (java + .tools vnu.jar)")
        return
    r = run(["java", *VNU_JAVA_OPTS, "-jar", str(VNU), "--format", "json", "--exit-zero-always", "--also-check-css", *map(str, paths)])
    messages = json.loads(r.stderr or r.stdout or "{}").get("messages", [])
    for path in paths:
        v = verdicts[str(path)]
        url = path.resolve().as_uri()
        errors = [m for m in messages if m.get("type") == "error" and m.get("url", "").endswith(path.name)
                  and not any(re.search(f, m.get("message", "")) for f in VNU_FILTERS)]
        shown = "; ".join(f"line {m.get('lastLine')}: {m.get('message')}" for m in errors[:3])
        v.check("Nu Html Checker: 0 errors", not errors, f"{len(errors)} errors: {shown}")
        del url


def run_axe(paths: list[Path], verdicts: dict, project: Path | None = None) -> None:
    TOOLS = tools_dir(project)
    script = Path(__file__).parent / "preflight_js" / "axe_check.mjs"
    # REPORTKIT_CHROMIUM, else Debian's chromium (or the one setup.sh links on Ubuntu), else Google Chrome
    chromium = (os.environ.get("REPORTKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("google-chrome-stable")
                or shutil.which("google-chrome") or "/usr/bin/chromium")
    if not (tool("node") and Path(chromium).exists() and (TOOLS / "playwright-core").is_dir() and (TOOLS / "axe-core").is_dir()):
        for path in paths:
            verdicts[str(path)].skipped.append("axe-core in Chromium (node, chromium, .tools playwright-core + axe-core)")
        return
    env = dict(os.environ, REPORTKIT_NODE_MODULES=str(TOOLS), REPORTKIT_CHROMIUM=chromium)
    r = run(["node", str(script), *[str(p.resolve()) for p in paths]], env=env, timeout=600)
    results = {}
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            results[item["file"]] = item
    for path in paths:
        v = verdicts[str(path)]
        item = results.get(str(path.resolve()))
        if item is None:
            v.check("axe-core", False, f"the browser run failed: {r.stderr.strip()[-300:]}")
            continue
        bad = [x for x in item["violations"] if x["impact"] in ("serious", "critical")]
        shown = "; ".join(f"{x['viewport']} {x['id']} ({x['impact']}): {', '.join(x['nodes'])}" for x in bad[:4])
        v.check("axe-core: 0 serious or critical", not bad, shown)
        v.check("no request leaves the machine", not item["external"], ", ".join(item["external"][:3]))


# ---------------- catalogs ----------------

def check_catalogs(root: Path) -> list[Verdict]:
    out = []
    files = sorted((root / "locales").glob("**/*.po")) + sorted((Path(__file__).parent / "locale").glob("**/*.po"))
    for po in files:
        v = Verdict(str(po), "catalog")
        if tool("msgfmt"):
            r = run(["msgfmt", "--check", "-o", os.devnull, str(po)])
            v.check("msgfmt --check", r.returncode == 0, r.stderr.strip()[-300:])
        else:
            v.skipped.append("msgfmt")
        out.append(v)
    return out


# ---------------- driver ----------------

def run_preflight(build_dir: Path, require_all: bool = False, json_out: str | None = None, project: Path | None = None,
                  junit: str | None = None, console=None) -> int:
    """Judge every artifact of build_dir/manifest.json. `project` is the project folder: its locales/
    catalogs are checked and its tools/node_modules preferred (default: the current folder). `junit`:
    also write JUnit XML there. `console` (console.Console): progress lines and diagnostics formats."""
    from .errors import Diagnostic, Loc

    build_dir = Path(build_dir)

    def step(text):
        if console is not None:
            console.step(text)

    def say(text, failed=False):
        if console is None:
            print(text)
        elif failed and console.quiet:
            console._print(text, console.people)
        else:
            console.say(text)

    manifest_path = build_dir / "manifest.json"
    if not manifest_path.is_file():
        if console is not None and console.format != "text":
            console.diagnostic(Diagnostic(Loc(str(manifest_path)), "no manifest; run reportkit build first"))
        else:
            print(f"{manifest_path}: error: no manifest; run reportkit build first")
        return 1
    try:
        artifacts = json.loads(manifest_path.read_text(encoding="utf-8"))["artifacts"]
        if not isinstance(artifacts, list) or not all(isinstance(a, dict) and isinstance(a.get("path"), str) for a in artifacts):
            raise TypeError("artifacts is not a list of entries with a path")
    except (ValueError, KeyError, TypeError) as e:
        if console is not None and console.format != "text":
            console.diagnostic(Diagnostic(Loc(str(manifest_path)), f"not a reportkit manifest ({e}); rebuild with reportkit build"))
        else:
            print(f"{manifest_path}: error: not a reportkit manifest ({e}); rebuild with reportkit build")
        return 1
    verdicts: dict[str, Verdict] = {}
    html_paths = []
    project = Path(project) if project is not None else default_project()
    for a in artifacts:
        path = build_dir / a["path"]
        fmt = a.get("format")
        v = verdicts[str(path)] = Verdict(str(path), str(fmt))
        t = time.perf_counter()
        if fmt not in FORMATS:  # judged by nothing is not judged good
            v.check("known format", False, f"format {fmt!r} is not one preflight can judge ({', '.join(FORMATS)})")
            continue
        if not path.is_file():
            v.check("artifact exists", False, "listed in the manifest but missing")
            continue
        step(f"checking {path}")
        v.check("sha256 matches manifest", _sha256(path) == a.get("sha256"), "file changed since the build")
        if fmt == "pdf":
            check_pdf(path, a.get("language", ""), v)
        else:
            check_html_static(path, v)
            html_paths.append(path)
        v.seconds = time.perf_counter() - t
    if html_paths:
        t = time.perf_counter()
        step(f"Nu Html Checker on {len(html_paths)} HTML files")
        run_vnu(html_paths, verdicts, require_all, project)
        step(f"axe-core in Chromium on {len(html_paths)} HTML files")
        run_axe(html_paths, verdicts, project)
        share = (time.perf_counter() - t) / len(html_paths)
        for p in html_paths:
            verdicts[str(p)].seconds += share
    # the same report's editions must agree on what they hold
    by_report: dict = {}
    for a in artifacts:
        v = verdicts[str(build_dir / a["path"])]
        if v.counts:  # languages are compared within one format and engine: their structures match
            by_report.setdefault((a.get("report"), a.get("format"), a.get("engine")), []).append(v)
    for report, vs in by_report.items():
        for key in ("tables", "figures", "notes"):
            values = {x.path: x.counts.get(key) for x in vs if x.counts.get(key)}
            if len(set(values.values())) > 1:
                for x in vs:
                    x.check(f"{key} agree across editions", False, json.dumps(values))
    step("msgfmt --check on the catalogs")
    catalogs = check_catalogs(project)
    if console is not None:
        console.close()
    everything = list(verdicts.values()) + catalogs
    failed = 0
    for v in everything:
        missing_tools = bool(v.skipped) and require_all
        ok = not v.failures and not missing_tools
        failed += not ok
        status = "PASS" if ok else "FAIL"
        detail = f"{len(v.checks)} checks, {v.seconds:.2f} s"
        if v.skipped:
            detail += f"; skipped (tool missing): {', '.join(v.skipped)}"
        line = f"{status} {v.path} ({detail})"
        if v.failures:
            line += ": " + " | ".join(v.failures)
        say(line, failed=not ok)
        if console is not None and console.format != "text":
            for f in v.failures:
                console.diagnostic(Diagnostic(Loc(v.path), f"preflight: {f}"))
            for name in v.skipped:
                console.diagnostic(Diagnostic(Loc(v.path), f"preflight: skipped, tool missing: {name}",
                                              "error" if require_all else "warning"))
    say(f"preflight: {len(everything) - failed} passed, {failed} failed", failed=bool(failed))
    if junit:
        write_junit(Path(junit), everything, require_all)
    report_path = Path(json_out) if json_out else build_dir / "preflight.json"
    report_path.write_text(json.dumps({"passed": len(everything) - failed, "failed": failed, "require_all": require_all,
                                       "results": [v.__dict__ for v in everything]}, indent=2, ensure_ascii=False) + "\n")
    return 1 if failed else 0


def _outcomes(v: Verdict):
    """(check name, failure reason or None) for every check of a verdict, in order."""
    failures = list(v.failures)
    for name in v.checks:
        why = None
        for i, f in enumerate(failures):
            if f == name or f.startswith(name + ": "):
                why = f[len(name) + 2:] if f != name else name
                del failures[i]
                break
        yield name, why


def write_junit(path: Path, verdicts: list, require_all: bool) -> None:
    """JUnit XML: a testsuite per artifact (or catalog), a testcase per check; a failed check is a
    <failure>, a validator that is not installed a <skipped> (a <failure> with --require-all)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="reportkit preflight")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for v in verdicts:
        suite = ET.SubElement(root, "testsuite", name=v.path)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        share = v.seconds / max(1, len(v.checks))
        for name, why in _outcomes(v):
            case = ET.SubElement(suite, "testcase", classname=f"{v.kind}:{v.path}", name=name, time=f"{share:.3f}")
            counts["tests"] += 1
            if why is not None:
                ET.SubElement(case, "failure", message=why, type="preflight").text = why
                counts["failures"] += 1
        for name in v.skipped:
            case = ET.SubElement(suite, "testcase", classname=f"{v.kind}:{v.path}", name=name, time="0")
            counts["tests"] += 1
            if require_all:
                ET.SubElement(case, "failure", message=f"tool missing: {name}", type="tool-missing").text = name
                counts["failures"] += 1
            else:
                ET.SubElement(case, "skipped", message=f"tool missing: {name}")
                counts["skipped"] += 1
        for k, n in counts.items():
            suite.set(k, str(n))
            totals[k] += n
        suite.set("errors", "0")
        suite.set("time", f"{v.seconds:.3f}")
    for k, n in totals.items():
        root.set(k, str(n))
    root.set("errors", "0")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
