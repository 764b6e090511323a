"""Translation workflow: extract units, merge PO catalogs, report status, check translations.

units.py (what a translation unit is, with its context), catalog.py (templates, update/merge, reading),
po.py (the PO reader/writer), check.py (`i18n check`), figures.py (text inside SVG figures),
termbase.py (the concept-oriented termbase, TBX export), xliff.py (XLIFF 2.0 export/import for CAT
tools), tmx.py (TMX 1.4b translation memory, pre-translation). The translator's guide is
docs/translating.md.
"""
