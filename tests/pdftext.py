"""PDF text helpers for tests: page text without running headers and page numbers."""
import re

import pypdf


def svg_lines(folder) -> set[str]:
    """The text lines drawn inside a report's SVG artwork (extractors interleave them with the body)."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    out = set()
    for svg in Path(folder).glob("**/*.svg"):
        for el in ET.parse(svg).iter():
            if el.tag.endswith(("}text", "}tspan")) and el.text and el.text.strip():
                out.add(" ".join(el.text.split()))
    return out


def body_pages(path, header: str, artwork: set | None = None) -> list[str]:
    """Each page's text without the running header line (`header`, wherever the extractor puts it),
    without trailing page numbers, and without lines of text drawn inside figure artwork."""
    artwork = artwork or set()
    headers = {header} if isinstance(header, str) else set(header)  # one running head, or several (title, chapters)
    pages = []
    for page in pypdf.PdfReader(str(path)).pages:
        lines = (page.extract_text() or "").splitlines()
        # a running head is a line at the top or the foot of the page in extraction order (WeasyPrint's
        # margin boxes come last); a wrapped caption's last word may read the same as a chapter's head
        ends = [i for i in range(len(lines)) if i < 3 or i >= len(lines) - 3]
        top = [i for i in ends if " ".join(lines[i].split()) in headers]
        lines = [l for i, l in enumerate(lines) if i not in top and " ".join(l.split()) not in artwork]
        while lines and re.fullmatch(r"\s*[0-9ivxlc]+\s*", lines[-1]):
            lines = lines[:-1]
        pages.append("\n".join(lines))
    return pages


def words(text: str) -> list[str]:
    """Words for comparing engines: case-folded; punctuation and bare numbers (note markers and list
    numbers, which extractors place differently) dropped."""
    text = text.replace("\u00ad", "").replace("\u200b", "")
    text = re.sub(r"[-\u2010\u00ad]\s*", "", text)  # hyphenation at a line end; compounds joined alike
    return [w for w in re.findall(r"[^\W_]+", text.casefold()) if not w.isdigit()]


def between(text: str, start: str, end: str) -> str:
    i = text.find(start)
    j = text.rfind(end)
    assert i >= 0 and j > i, (start, end)
    return text[i: j + len(end)]
