"""Customer satisfaction from raw survey answers: NPS with its 95% interval, CSAT top-2-box, CES mean, overall and
per segment."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assistant.analytics.constants import (
    CES_SCALE,
    CSAT_SCALE,
    CSAT_TOP2_MIN,
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    NPS_SCALE,
    PERCENT,
    Z_95,
)
from assistant.analytics.notes import Note
from assistant.analytics.table import numeric, require_column
from assistant.analytics.values import json_ready, row_list
from assistant.errors import BadInputError


@dataclass(frozen=True)
class Scores:
    """The metrics of one group of answers; None for what the data lack."""

    n: int
    nps: float | None = None
    nps_ci: tuple[float, float] | None = None
    promoters_pct: float | None = None
    passives_pct: float | None = None
    detractors_pct: float | None = None
    n_nps: int = 0
    csat_top2_pct: float | None = None
    n_csat: int = 0
    ces_mean: float | None = None
    n_ces: int = 0

    def to_dict(self) -> dict:
        return json_ready(dict(vars(self)))


@dataclass(frozen=True)
class SatisfactionResult:
    overall: Scores
    segment_column: str | None
    segments: tuple[tuple[str, Scores], ...]
    notes: tuple[Note, ...] = ()

    analysis = "satisfaction"

    def to_dict(self) -> dict:
        return json_ready({"analysis": self.analysis, **self.overall.to_dict(), "segment_column": self.segment_column,
                           "segments": [{"segment": name, **s.to_dict()} for name, s in self.segments]})


def on_scale(table: pd.DataFrame, column: str, scale: tuple[int, int]) -> pd.Series:
    """The answers as floats (blanks NaN); BadInputError naming rows that are not whole numbers on the scale."""
    values = numeric(table, column)
    low, high = scale
    outside = values.notna() & ((values < low) | (values > high) | (values != values.round()))
    if outside.any():
        raise BadInputError(f"column '{column}' must hold whole numbers from {low} to {high}; row(s) "
                            f"{row_list(values.index[outside])} do not")
    return values


def nps_interval(promoters: float, detractors: float, n: int) -> tuple[float, float]:
    """Normal-approximation 95% interval of NPS = 100 (p - d), Var = ((p + d) - (p - d)^2) / n."""
    half = Z_95 * math.sqrt(max((promoters + detractors) - (promoters - detractors) ** 2, 0.0) / n) * PERCENT
    nps = (promoters - detractors) * PERCENT
    return nps - half, nps + half


def scores(nps: np.ndarray | None, csat: np.ndarray | None, ces: np.ndarray | None, rows: int) -> Scores:
    """The metrics of one group; each array holds that question's answers, blanks already removed."""
    found: dict = {"n": rows}
    if nps is not None and len(nps):
        promoters, detractors = np.mean(nps >= NPS_PROMOTER_MIN), np.mean(nps <= NPS_DETRACTOR_MAX)
        found.update(nps=(promoters - detractors) * PERCENT, nps_ci=nps_interval(promoters, detractors, len(nps)),
                     promoters_pct=promoters * PERCENT, detractors_pct=detractors * PERCENT,
                     passives_pct=(1 - promoters - detractors) * PERCENT, n_nps=len(nps))
    if csat is not None and len(csat):
        found.update(csat_top2_pct=np.mean(csat >= CSAT_TOP2_MIN) * PERCENT, n_csat=len(csat))
    if ces is not None and len(ces):
        found.update(ces_mean=float(np.mean(ces)), n_ces=len(ces))
    return Scores(**found)


def satisfaction(table: pd.DataFrame, nps: str | None = None, csat: str | None = None, ces: str | None = None,
                 segment: str | None = None) -> SatisfactionResult:
    """NPS (0-10), CSAT top-2-box (1-5) and CES mean (1-7) from the columns given, overall and per segment."""
    if not (nps or csat or ces):
        raise BadInputError("give at least one of --nps-column, --csat-column, --ces-column")
    columns = {name: on_scale(table, column, scale) for name, column, scale in
               (("nps", nps, NPS_SCALE), ("csat", csat, CSAT_SCALE), ("ces", ces, CES_SCALE)) if column}
    frame = pd.DataFrame(columns)

    def group_scores(part: pd.DataFrame) -> Scores:
        answers = {name: part[name].dropna().to_numpy() for name in columns}
        return scores(answers.get("nps"), answers.get("csat"), answers.get("ces"), len(part))

    segments: tuple = ()
    if segment:
        labels = require_column(table, segment)
        segments = tuple((str(name), group_scores(part)) for name, part in frame.groupby(labels, sort=True))
    return SatisfactionResult(group_scores(frame), segment, segments)
