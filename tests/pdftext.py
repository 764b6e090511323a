"""PDF text helpers for tests: page text without running headers and page numbers."""
import re

import pypdf


def body_pages(path, header: str) -> list[str]:
    """Each page's text without the running header line (`header`, wherever the extractor puts it)
    and without trailing page numbers."""
    pages = []
    for page in pypdf.PdfReader(str(path)).pages:
        lines = [l for l in (page.extract_text() or "").splitlines() if " ".join(l.split()) != header]
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
