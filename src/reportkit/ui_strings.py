"""The closed list of interface words the editions print; their translations are in reportkit/locale/."""


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
    "recommendation": N_("Recommendation %(number)s"),
}

WORDS = [
    N_("Contents"), N_("Notes"), N_("Source"), N_("Authors"), N_("Acknowledgments"), N_("Disclaimer"),
    N_("Back to text"), N_("Artwork not available"), N_("Skip to contents"), N_("About"),
    N_("Pull quote"), N_("Key findings"), N_("Bibliography"),
    N_("Suggested citation"), N_("Report No. %(number)s"), N_("continued"),
    N_("About this report"), N_("Cite this report"), N_("Download PDF"),
]
