"""QC analytics over the user's own tables: Pareto, control charts, capability, NPS/CSAT/CES, before/after, and
QC-vs-satisfaction links. Pure functions over pandas objects that return frozen results with a to_dict(); imported
lazily by the CLI and the app (they import pandas and scipy at the top)."""
