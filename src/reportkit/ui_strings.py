"""The closed list of interface words the editions print. Extracted into reportkit.pot by `make-ui-pot`."""


def N_(s: str) -> str:
    return s


LABELS = {
    "chapter": N_("Chapter %(number)s"),
    "section": N_("Section %(number)s"),
    "table": N_("Table %(number)s"),
    "figure": N_("Figure %(number)s"),
    "sidebar": N_("Box %(number)s"),
    "item": N_("Item %(number)s"),
    "note": N_("Note %(number)s"),
}

WORDS = [
    N_("Contents"), N_("Notes"), N_("Source"), N_("Authors"), N_("Acknowledgments"), N_("Disclaimer"),
    N_("Back to text"), N_("Artwork not available"), N_("Figure placeholder"), N_("Skip to contents"),
    N_("Read this report in %(language)s"), N_("Page %(page)s"), N_("Published %(date)s"),
    N_("Copyright"), N_("About"), N_("Table of contents"),
]
