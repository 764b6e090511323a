"""The suggested citation printed on the inside cover, made from the report's metadata in the
edition's language. Both writers print exactly this text (a list of (kind, text) runs, where kind is
"text" or "title": the title is italic in Latin script and set in 《》 in Chinese)."""
from __future__ import annotations

from . import presentation as present


def suggested_citation(e) -> list[tuple[str, str]]:
    """[(kind, text)] runs: authors, title (with subtitle), report number, institute, year, URL.

    English (Chicago-like, as RAND, CSIS and Brookings print it):
      Nathanael Cheng, … and Jeremy Chih-Cheng Chang. *Four Ounces …: Analyzing …*. Report No. 7.
      Research Institute for …, 2026. https://….
    Chinese:
      作者甲、作者乙，《標題：副標題》，報告編號 7，機構，2026年。https://…
    """
    m = e.report.meta
    names = present.author_names(e)
    title = m.title.plain() + (present.term_separator(e) if e.locale.is_cjk else ": ") + m.subtitle.plain() if m.subtitle else m.title.plain()
    org = m.organization.plain()
    year = str(m.date.year)
    number = e._("Report No. %(number)s", number=m.report_number) if m.report_number else ""
    runs: list[tuple[str, str]] = []
    if e.locale.is_cjk:
        lead = "、".join(names) + "，" if names else ""
        runs += [("text", lead + "《"), ("title", title), ("text", "》，")]
        tail = "，".join(x for x in (number, org, f"{year}年") if x) + "。"
        runs.append(("text", tail + (m.url if m.url else "")))
    else:
        lead = present.author_list(e, names) + ". " if names else ""
        runs += [("text", lead), ("title", title), ("text", ". ")]
        tail = (number + ". " if number else "") + f"{org}, {year}."
        runs.append(("text", tail + (" " + m.url if m.url else "")))
    return runs
