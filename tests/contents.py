"""What a PDF edition's table of contents says, against where its bookmarks really go."""
import re
import subprocess

import pikepdf


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def page_label(pdf: pikepdf.Pdf, index: int) -> str:
    """The label a reader's viewer shows for page `index` (0-based), from /PageLabels."""
    nums = list(pdf.Root.PageLabels.Nums)
    start, spec = max(((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2) if int(nums[i]) <= index),
                      key=lambda e: e[0])
    n = int(spec.get("/St", 1)) + index - start
    style = str(spec.get("/S", ""))
    return {"/r": _roman(n), "/D": str(n)}.get(style, "")


def bookmarks(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """(title, 0-based page index) of every bookmark, in reading order."""
    index = {p.objgen: i for i, p in enumerate(pdf.pages)}
    out = []
    with pdf.open_outline() as outline:
        def walk(items):
            for it in items:
                dest = it.destination if it.destination is not None else it.action.get("/D")
                out.append((it.title, index[dest[0].objgen]))
                walk(it.children)
        walk(outline.root)
    return out


def link_targets(pdf: pikepdf.Pdf, index: int) -> list[int]:
    """The 0-based page each internal link on page `index` goes to (named or explicit destinations)."""
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    names = pikepdf.NameTree(pdf.Root.Names.Dests) if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names else {}
    out = []
    for annot in pdf.pages[index].get("/Annots", []):
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot and annot.A.get("/S") == "/GoTo":
            dest = annot.A.D
        if dest is None:
            continue
        if isinstance(dest, (pikepdf.String, pikepdf.Name)):
            dest = names[str(dest)]
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.D
        out.append(pages[dest[0].objgen])
    return out


def contents_lines(path, heading: str) -> list[str]:
    """The lines of the contents pages (from the page that starts with `heading` to the first that does not
    hold leaders)."""
    # -raw: the order of the page's content, which is what copying and a screen reader give
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    first = next(i for i, p in enumerate(pages) if p.lstrip().startswith(heading))
    lines = []
    for p in pages[first:]:
        if ". . ." not in p:
            break
        page = [ln for ln in p.splitlines() if ln.strip()]
        if page and re.fullmatch(r"\s*([0-9]+|[ivxlcdm]+)\s*", page[-1]):
            page = page[:-1]  # the folio
        if lines and page and ". ." not in page[0]:
            page = page[1:]  # a continued page's running head
        lines += page
    return lines[1:]


def check_contents(path, heading: str) -> int:
    """Assert that no page number stands alone on a line, no entry is hyphenated, and every entry's
    printed page number is its bookmark's page label. Returns how many entries were checked."""
    lines = contents_lines(path, heading)
    lone = [ln for ln in lines if re.fullmatch(r"[\s.]*([0-9]+|[ivxlcdm]+)\s*", ln)]
    assert not lone, f"a page number alone on a contents line: {lone[:3]}"
    hyphenated = [ln for ln in lines if ln.rstrip().endswith(("\u00ad", "-", "\u2010"))]
    assert not hyphenated, f"hyphenated contents entries: {hyphenated[:3]}"
    toc = re.sub(r"\s+", " ", " ".join(lines))
    checked = 0
    with pikepdf.open(path) as pdf:
        marks = bookmarks(pdf)
        pos = 0
        for title, page in marks:
            if title == heading:
                continue
            m = re.compile(re.escape(title) + r"[ .]*?\s*([0-9]+|[ivxlcdm]+)\b").search(toc, pos)
            if m is None:
                continue  # the contents page itself, the cover: bookmarked, not listed
            assert m.group(1) == page_label(pdf, page), \
                f"contents says {title!r} is on page {m.group(1)}; its bookmark goes to page {page_label(pdf, page)}"
            pos = m.end()
            checked += 1
        # and each entry is a link to its heading's page
        first = next(i for i in range(len(pdf.pages)) if any(t == heading for t, p in marks if p == i))
        targets = []
        for i in range(first, len(pdf.pages)):
            found = link_targets(pdf, i)
            if not found:
                break
            targets += found
        assert len(targets) >= checked, f"{len(targets)} links for {checked} contents entries"
        assert set(targets) <= {p for t, p in marks}, "a contents link goes to a page where no heading is"
    return checked
