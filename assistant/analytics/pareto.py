"""Pareto analysis: how often each category occurs, largest first, and the vital few that make up 80%."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assistant.analytics.constants import PERCENT, VITAL_FEW_CUM_PCT
from assistant.analytics.notes import Note
from assistant.analytics.table import numeric, require_column
from assistant.analytics.values import json_ready, row_list
from assistant.errors import BadInputError

FLOAT_SLACK = 1e-9  # a float running sum can land a hair under exactly 80%


@dataclass(frozen=True)
class ParetoItem:
    category: str
    count: float
    pct: float
    cum_pct: float


@dataclass(frozen=True)
class ParetoResult:
    """Categories sorted by count, descending (ties by name), with the vital few."""

    items: tuple[ParetoItem, ...]
    total: float
    vital_few: tuple[str, ...]
    category_column: str
    notes: tuple[Note, ...] = ()

    analysis = "pareto"

    def to_dict(self) -> dict:
        return json_ready({"analysis": self.analysis, "category_column": self.category_column, "total": self.total,
                           "categories": [vars(i) for i in self.items], "vital_few": list(self.vital_few),
                           "vital_few_pct": self.items[len(self.vital_few) - 1].cum_pct})


def pareto(table: pd.DataFrame, category: str, count: str | None = None) -> ParetoResult:
    """Counts per category (rows, or the sum of a count column), percentages, cumulative percentages, vital few."""
    labels = require_column(table, category)
    counts = numeric(table, count) if count else pd.Series(1.0, index=table.index)
    negative = counts < 0
    if negative.any():
        raise BadInputError(f"column '{count}' has negative counts in row(s) {row_list(table.index[negative])}")
    notes = []
    blank = labels == ""
    if blank.any():
        notes.append(Note("blank_categories", {"n": int(blank.sum())}))
    totals = counts[~blank].fillna(0).groupby(labels[~blank]).sum()
    totals = totals[totals > 0]
    if totals.empty:
        raise BadInputError(f"column '{category}' has no categories with a count above zero")
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    total = float(totals.sum())
    items, running = [], 0.0
    for name, value in ordered:
        running += value
        items.append(ParetoItem(str(name), float(value), value / total * PERCENT, running / total * PERCENT))
    crossing = next(i for i, item in enumerate(items) if item.cum_pct >= VITAL_FEW_CUM_PCT - FLOAT_SLACK)
    return ParetoResult(tuple(items), total, tuple(i.category for i in items[:crossing + 1]), category, tuple(notes))
