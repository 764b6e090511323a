"""Make an N-times copy of the flagship report, for measuring how build time grows with length.

    python3 bench/multiply.py N DEST

Writes a project folder DEST (under /tmp, never in the repository) holding

  DEST/content/four-ounces-xN/           report.yaml with the chapter list repeated N times, each copy's
                                         chapter (and included) files, references* and figures/ once
  DEST/locales/zh-Hant/four-ounces-xN/   the zh-Hant catalogs: report.po and figures.po once, each
                                         chapter catalog once per copy (catalogs are named after files)
  DEST/locales/zh-Hant/glossary.yaml     the termbase, so `check` sees what it sees for the flagship

Copy 1 is the flagship unchanged. Copy k >= 2 gets files named `<stem>-c<k>.yaml` and every id the
chapters define (chapters, sections, tables, figures, boxes, list items, notes) suffixed `-c<k>`, in
definitions, `[^note]` and `[@xref]` alike, in the YAML and in the catalogs' msgid and msgstr, so each
copy's zh-Hant text stays as translated as the flagship's. Citation keys are not ids: the copies share
one set of references. The text is edited with regexes (never re-serialized); catalogs go through
reportkit's own PO reader and writer, since msgcat may wrap a `[^n12]` anywhere in a line.
Styles are not copied: the built-in ones (the default brand, dset) are used.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from reportkit.i18n import po

ROOT = Path(__file__).resolve().parents[1]
NAME = "four-ounces"
SRC = ROOT / "content" / NAME
CATALOGS = ROOT / "locales" / "zh-Hant" / NAME
ID = r"[A-Za-z0-9][A-Za-z0-9_.:-]*"
ID_DEF = re.compile(rf"^(\s*(?:-\s+)?id:\s*)({ID})[ \t]*$", re.MULTILINE)
REF = re.compile(rf"\[([\^@])({ID})\]")
INCLUDE = re.compile(r"^(\s*-?\s*include:\s*)(\S+\.yaml)[ \t]*$", re.MULTILINE)
NOTE_KEY = re.compile(rf"^([ \t]+)({ID})(:)", re.MULTILINE)
ANCHOR = re.compile(rf"(HTML anchor: #)({ID})")
CHAPTERS = re.compile(r"^(chapters:[ \t]*\n)((?:[ \t]*-[^\n]*\n?)+)", re.MULTILINE)


def chapter_files(report: str) -> dict[str, list[str]]:
    """Each chapter file of report.yaml, in order -> it and the files it includes."""
    def tree(name: str) -> list[str]:
        text = (SRC / name).read_text(encoding="utf-8")
        return [name] + [f for m in INCLUDE.finditer(text) for f in tree(m.group(2))]
    tops = [line.split("-", 1)[1].split("#")[0].strip() for line in CHAPTERS.search(report).group(2).splitlines()]
    return {top: tree(top) for top in tops}


def notes_span(text: str) -> tuple[int, int, str]:
    """Where the top-level `notes:` mapping is (start, stop) and the indent of its keys."""
    m = re.search(r"^notes:[ \t]*\n", text, re.MULTILINE)
    if not m:
        return 0, 0, ""
    end = re.search(r"^\S", text[m.end():], re.MULTILINE)
    stop = m.end() + end.start() if end else len(text)
    indent = re.match(r"[ \t]+", text[m.end():stop])
    return m.end(), stop, indent.group(0) if indent else ""


def note_ids(text: str) -> set[str]:
    start, stop, indent = notes_span(text)
    return {m.group(2) for m in NOTE_KEY.finditer(text[start:stop]) if m.group(1) == indent}


def renamer(ids: set[str], sfx: str):
    """A function renaming the `[^id]`, `[@id]` and `HTML anchor: #id` of `ids` in a text (or None)."""
    def ref(m: re.Match) -> str:
        return f"[{m.group(1)}{m.group(2)}{sfx}]" if m.group(2) in ids else m.group(0)

    def anchor(m: re.Match) -> str:
        return m.group(1) + m.group(2) + sfx if m.group(2) in ids else m.group(0)

    def fix(text: str | None) -> str | None:
        return text if text is None or not sfx else ANCHOR.sub(anchor, REF.sub(ref, text))
    return fix


def copy_yaml(text: str, ids: set[str], sfx: str) -> str:
    if not sfx:
        return text
    text = renamer(ids, sfx)(text)
    text = ID_DEF.sub(lambda m: m.group(1) + m.group(2) + (sfx if m.group(2) in ids else ""), text)
    text = INCLUDE.sub(lambda m: m.group(1) + m.group(2)[:-5] + sfx + ".yaml", text)
    start, stop, indent = notes_span(text)
    notes = NOTE_KEY.sub(lambda m: m.group(0) if m.group(1) != indent or m.group(2) not in ids
                         else m.group(1) + m.group(2) + sfx + m.group(3), text[start:stop])
    text = text[:start] + notes + text[stop:]
    return text


def copy_catalog(src: Path, dest: Path, ids: set[str], sfx: str, name: str) -> None:
    cat = po.parse(src.read_text(encoding="utf-8"))
    fix = renamer(ids, sfx)
    for e in cat.entries:
        e.msgid, e.msgstr, e.previous_msgid = fix(e.msgid), fix(e.msgstr), fix(e.previous_msgid)
        e.msgstr_plural = {i: fix(s) for i, s in e.msgstr_plural.items()}
        e.auto_comments = [fix(c) for c in e.auto_comments]
        e.locations = [re.sub(rf"^content/{NAME}/([^/:]+)\.yaml", rf"content/{name}/\g<1>{sfx}.yaml", loc)
                       .replace(f"content/{NAME}/", f"content/{name}/") for loc in e.locations]
    dest.write_bytes(po.dump(cat))


def main(n: int, dest: Path) -> None:
    name = f"{NAME}-x{n}"
    out, cats = dest / "content" / name, dest / "locales" / "zh-Hant" / name
    for d in (out, cats):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    report = (SRC / "report.yaml").read_text(encoding="utf-8")
    tree = chapter_files(report)
    files = [f for fs in tree.values() for f in fs]
    texts = {f: (SRC / f).read_text(encoding="utf-8") for f in files}
    ids = {m.group(2) for t in texts.values() for m in ID_DEF.finditer(t)} | {i for t in texts.values() for i in note_ids(t)}
    top = list(tree)
    chapters = []
    for k in range(1, n + 1):
        sfx = f"-c{k}" if k > 1 else ""
        chapters += [f"  - {f[:-5]}{sfx}.yaml\n" for f in top]
        for f in files:
            (out / f"{f[:-5]}{sfx}.yaml").write_text(copy_yaml(texts[f], ids, sfx), encoding="utf-8")
            if (CATALOGS / f"{f[:-5]}.po").is_file():
                copy_catalog(CATALOGS / f"{f[:-5]}.po", cats / f"{f[:-5]}{sfx}.po", ids, sfx, name)
    report = CHAPTERS.sub(lambda m: m.group(1) + "".join(chapters), report)
    (out / "report.yaml").write_text(report, encoding="utf-8")
    for p in SRC.glob("references*"):
        shutil.copy2(p, out / p.name)
    shutil.copytree(SRC / "figures", out / "figures")
    for part in ("report", "figures"):
        copy_catalog(CATALOGS / f"{part}.po", cats / f"{part}.po", set(), "", name)
    shutil.copy2(CATALOGS.parent / "glossary.yaml", cats.parent / "glossary.yaml")
    print(f"{out}: {n} copies of {len(top)} chapters ({len(files)} files each), {len(ids)} ids per copy")


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit("usage: python3 bench/multiply.py N DEST  (N >= 1; DEST a folder outside the repository)")
    if Path(sys.argv[2]).resolve().is_relative_to(ROOT):
        sys.exit(f"{sys.argv[2]}: inside the repository; give a folder under /tmp")
    main(int(sys.argv[1]), Path(sys.argv[2]))
