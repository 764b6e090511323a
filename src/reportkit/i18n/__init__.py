"""Translation workflow: extract units, merge PO catalogs, report status, check translations."""
