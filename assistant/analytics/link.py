"""Does a monthly QC metric lead satisfaction? Spearman's rank correlation at lags of 0-3 months, with the caution
that correlation is not causation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from assistant.analytics.constants import LINK_MAX_LAG, LINK_MIN_PAIRS
from assistant.analytics.notes import Note
from assistant.analytics.table import numeric, require_column
from assistant.analytics.values import json_ready, row_list
from assistant.errors import BadInputError

MIN_RANK_PAIRS = 3  # a rank correlation of fewer pairs is undefined or always +-1


@dataclass(frozen=True)
class LagCorrelation:
    lag: int
    rho: float | None
    p_value: float | None
    n: int


@dataclass(frozen=True)
class LinkResult:
    """QC at month t against satisfaction at month t + lag, for each lag."""

    qc_column: str
    sat_column: str
    month_column: str
    n_months: int
    lags: tuple[LagCorrelation, ...]
    notes: tuple[Note, ...] = ()

    analysis = "link"

    def to_dict(self) -> dict:
        return json_ready({"analysis": self.analysis, "qc_column": self.qc_column, "sat_column": self.sat_column,
                           "month_column": self.month_column, "n_months": self.n_months,
                           "lags": [vars(lag) for lag in self.lags]})


def month_order(months: pd.Series) -> np.ndarray:
    """Positions that sort the months: as numbers when they all are, else as text (ISO months sort in time)."""
    duplicated = months.duplicated(keep=False) & (months != "")
    if duplicated.any():
        raise BadInputError(f"months repeat in row(s) {row_list(months.index[duplicated])}: give one row per month")
    as_numbers = pd.to_numeric(months, errors="coerce")
    key = as_numbers if as_numbers.notna().all() else months
    return np.argsort(key.to_numpy(), kind="stable")


def spearman_at(qc: np.ndarray, sat: np.ndarray, lag: int) -> LagCorrelation:
    """Spearman's rho of qc[t] with sat[t + lag] over the months where both are present."""
    x, y = (qc[:-lag], sat[lag:]) if lag else (qc, sat)
    both = ~np.isnan(x) & ~np.isnan(y)
    n = int(both.sum())
    if n < MIN_RANK_PAIRS:
        return LagCorrelation(lag, None, None, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant series has no rank correlation: NaN, reported as None
        rho, p = stats.spearmanr(x[both], y[both])
    return LagCorrelation(lag, float(rho), float(p), n)


def link(table: pd.DataFrame, month: str, qc: str, sat: str, max_lag: int = LINK_MAX_LAG) -> LinkResult:
    """Spearman correlations of the QC metric with satisfaction 0..max_lag months later."""
    order = month_order(require_column(table, month))
    qc_values, sat_values = (numeric(table, c).to_numpy()[order] for c in (qc, sat))
    if len(order) <= max_lag:
        raise BadInputError(f"link needs more than {max_lag} months of data; the table has {len(order)}")
    lags = tuple(spearman_at(qc_values, sat_values, lag) for lag in range(max_lag + 1))
    notes = [Note("few_pairs", {"lag": c.lag, "n": c.n, "min": LINK_MIN_PAIRS}) for c in lags if c.n < LINK_MIN_PAIRS]
    return LinkResult(qc, sat, month, len(order), lags, (*notes, Note("correlation_caution")))
