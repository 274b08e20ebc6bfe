"""Before/after comparison: a rate (events per unit, or a 0/1 column) by the two-proportion z-test with the
relative change's Katz interval; scores by Welch's t-test and the Mann-Whitney U test. The report sentence is
written only when the change is significant."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from assistant.analytics.constants import ALPHA, CONFIDENCE, PERCENT, Z_95
from assistant.analytics.notes import Note, p_text
from assistant.analytics.table import numeric, require_column
from assistant.analytics.values import json_ready
from assistant.errors import BadInputError

BINARY_VALUES = {0.0, 1.0}
MIN_SCORES = 2  # per period: a standard deviation needs two values
WHOLE_PERCENT_FROM = 10.0  # changes of 10% or more are written without decimals


@dataclass(frozen=True)
class CompareResult:
    """Both periods' figures, the relative change (%) with its 95% interval, the test and its p-value."""

    kind: str
    metric: str
    test: str
    before: dict
    after: dict
    change_pct: float | None
    change_ci: tuple[float, float] | None
    p_value: float
    statistic: float
    mannwhitney_p: float | None = None
    notes: tuple[Note, ...] = ()

    analysis = "compare"

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA and self.change_pct is not None

    def sentence(self, lang: str = "en") -> str | None:
        """What a QC report would write, or None when the data do not show a change."""
        return report_sentence(self, lang) if self.significant else None

    def to_dict(self) -> dict:
        fields = {k: v for k, v in vars(self).items() if k != "notes"}
        return json_ready({"analysis": self.analysis, **fields, "significant": self.significant,
                           "sentence_en": self.sentence("en"), "sentence_zh": self.sentence("zh")})


def split_periods(table: pd.DataFrame, period_column: str, split: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows whose period comes before `split`, and the rest; numbers compare as numbers, other periods as text
    (so ISO dates such as 2024-07 sort in time order)."""
    periods = require_column(table, period_column)
    as_numbers = pd.to_numeric(periods, errors="coerce")
    if as_numbers.notna().all():
        try:
            before = as_numbers < float(split)
        except ValueError as exc:
            raise BadInputError(f"'{period_column}' holds numbers, so --split must be a number, not '{split}'") from exc
    else:
        before = periods < split
    if before.all() or not before.any():
        raise BadInputError(f"--split {split} leaves no rows {'after' if before.all() else 'before'} it in "
                            f"'{period_column}'")
    return table[before], table[~before]


def _pct(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= WHOLE_PERCENT_FROM else f"{value:.1f}"


def metric_in(metric: str, lang: str) -> str:
    """The metric's name in the reader's language when the glossary knows it ('return rate' -> '退货率')."""
    from assistant.glossary import load_glossary

    for group in load_glossary().groups:
        if metric.lower() in (t.lower() for t in group.terms):
            names = group.zh if lang == "zh" else group.en
            return names[0] if names else metric
    return metric


def report_sentence(result: CompareResult, lang: str) -> str:
    """'The return rate fell 30% (95% CI 22% to 37%), p < 0.001.' or its Chinese form."""
    change, ci, metric = result.change_pct, result.change_ci, metric_in(result.metric, lang)
    fell = change < 0
    if ci and all((bound < 0) == fell for bound in ci):
        low, high = sorted(abs(b) for b in ci)
        bounds = (_pct(low), _pct(high))
    elif ci:
        bounds = tuple(f"{b:+.1f}" for b in ci)
    if lang == "zh":
        interval = f"（95% 置信区间 {bounds[0]}%–{bounds[1]}%）" if ci else ""
        return f"{metric}{'下降' if fell else '上升'} {_pct(abs(change))}%{interval}，{p_text(result.p_value)}。"
    interval = f" (95% CI {bounds[0]}% to {bounds[1]}%)" if ci else ""
    return f"The {metric} {'fell' if fell else 'rose'} {_pct(abs(change))}%{interval}, {p_text(result.p_value)}."


def compare_rates(before: tuple[float, float], after: tuple[float, float], metric: str) -> CompareResult:
    """Two-proportion z-test (pooled) of events/units, and the risk ratio's Katz log interval as % change."""
    (x1, n1), (x2, n2) = before, after
    if min(n1, n2) <= 0 or x1 > n1 or x2 > n2 or min(x1, x2) < 0:
        raise BadInputError("each period needs units above zero and events between zero and the units")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p2 - p1) / se if se > 0 else 0.0
    notes, change, interval = [], None, None
    if p1 > 0:
        change = (p2 / p1 - 1) * PERCENT
    if x1 > 0 and x2 > 0:
        se_log = math.sqrt(1 / x2 - 1 / n2 + 1 / x1 - 1 / n1)
        interval = tuple((math.exp(math.log(p2 / p1) + s * Z_95 * se_log) - 1) * PERCENT for s in (-1, 1))
    else:
        notes.append(Note("zero_events"))
    return CompareResult("rate", metric, "two-proportion z-test", {"events": x1, "units": n1, "rate": p1},
                         {"events": x2, "units": n2, "rate": p2}, change, interval,
                         float(2 * stats.norm.sf(abs(z))), z, notes=tuple(notes))


def compare_scores(before: np.ndarray, after: np.ndarray, metric: str) -> CompareResult:
    """Welch's t-test (the primary p) and Mann-Whitney U; change and interval relative to the before mean."""
    if min(len(before), len(after)) < MIN_SCORES:
        raise BadInputError(f"each period needs at least {MIN_SCORES} scores")
    welch = stats.ttest_ind(after, before, equal_var=False)
    utest = stats.mannwhitneyu(after, before, alternative="two-sided")
    base = float(np.mean(before))
    change = interval = None
    if base != 0:
        change = (float(np.mean(after)) / base - 1) * PERCENT
        low, high = welch.confidence_interval(CONFIDENCE)
        interval = tuple(sorted((low / abs(base) * PERCENT, high / abs(base) * PERCENT)))
    notes = []
    if (welch.pvalue < ALPHA) != (utest.pvalue < ALPHA):
        notes.append(Note("tests_disagree", {"p_t": p_text(welch.pvalue), "p_u": p_text(utest.pvalue)}))

    def side(x: np.ndarray) -> dict:
        return {"n": len(x), "mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1)), "median": float(np.median(x))}

    return CompareResult("score", metric, "Welch t-test", side(before), side(after), change, interval,
                         float(welch.pvalue), float(welch.statistic), float(utest.pvalue), tuple(notes))


def compare(before: pd.DataFrame, after: pd.DataFrame, column: str | None = None, events: str | None = None,
            units: str | None = None, metric: str | None = None) -> CompareResult:
    """Compare the periods: events/units columns (summed per period), a 0/1 column (a rate), or scores."""
    if events and units:
        sums = [tuple(float(numeric(t, c).sum()) for c in (events, units)) for t in (before, after)]
        result = compare_rates(sums[0], sums[1], metric or events.replace("_", " "))
    elif column:
        values = [numeric(t, column).dropna().to_numpy() for t in (before, after)]
        name = metric or column.replace("_", " ")
        if set(np.unique(np.concatenate(values))) <= BINARY_VALUES:
            result = compare_rates(*[(float(v.sum()), float(len(v))) for v in values], name)
        else:
            result = compare_scores(values[0], values[1], name)
    else:
        raise BadInputError("compare needs --column (scores or 0/1), or --defectives and --size (events and units)")
    if not result.significant:
        note = Note("no_change", {"metric": result.metric, "p": p_text(result.p_value)})
        result = CompareResult(**{**vars(result), "notes": (*result.notes, note)})
    return result
