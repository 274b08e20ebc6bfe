"""Shewhart control charts (X-bar-R, X-bar-S, I-MR, p, np, c, u) with the Western Electric rules, vectorised so a
chart of 100k points takes milliseconds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assistant.analytics.constants import (
    CONTROL_SIGMAS,
    MAX_SUBGROUP_SIZE,
    MIN_SUBGROUP_SIZE,
    MIN_SUBGROUPS,
    MOVING_RANGE_SPAN,
    WESTERN_ELECTRIC_RULES,
    factor,
    factors,
)
from assistant.analytics.notes import Note
from assistant.analytics.table import by_subgroup, numeric, require_column
from assistant.analytics.values import json_ready, row_list
from assistant.errors import BadInputError

CHART_TYPES = ("xbar-r", "xbar-s", "imr", "p", "np", "c", "u")


@dataclass(frozen=True)
class Limits:
    """A chart's centre line and limits: numbers, or one per point when subgroup sizes vary."""

    chart: str
    values: np.ndarray
    center: float | np.ndarray
    ucl: float | np.ndarray
    lcl: float | np.ndarray

    def beyond(self) -> np.ndarray:
        """1-based numbers of the points outside the limits."""
        with np.errstate(invalid="ignore"):
            return np.flatnonzero((self.values > self.ucl) | (self.values < self.lcl)) + 1

    def to_dict(self) -> dict:
        return {"chart": self.chart, "center": self.center, "ucl": self.ucl, "lcl": self.lcl, "values": self.values,
                "out_of_control": self.beyond()}


@dataclass(frozen=True)
class ControlResult:
    """The main chart with its rule violations (1-based point numbers), and for X-bar and I charts the chart of
    their spread (R, S or MR)."""

    main: Limits
    labels: tuple[str, ...]
    sigma: float | None
    rule_violations: dict[int, np.ndarray]
    second: Limits | None
    notes: tuple[Note, ...] = ()

    analysis = "control"

    @property
    def out_of_control(self) -> list[int]:
        return sorted(set().union(*(v.tolist() for v in self.rule_violations.values())))

    def to_dict(self) -> dict:
        main = self.main.to_dict()
        return json_ready({"analysis": self.analysis, **main, "labels": list(self.labels), "sigma": self.sigma,
                           "out_of_control": self.out_of_control, "rule_violations": self.rule_violations,
                           "second_chart": self.second.to_dict() if self.second else None})


def rolling_count(mask: np.ndarray, window: int) -> np.ndarray:
    """How many of the last `window` entries (fewer at the start) are True, at each position."""
    totals = np.concatenate(([0], np.cumsum(mask)))
    ends = np.arange(1, len(mask) + 1)
    return totals[ends] - totals[np.maximum(ends - window, 0)]


def western_electric(values: np.ndarray, center, sigma) -> dict[int, np.ndarray]:
    """1-based numbers of the points at which each Western Electric rule fires (sigma may vary by point)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.asarray(values, dtype=float) - center) / sigma
    found = {}
    for rule in WESTERN_ELECTRIC_RULES:
        flagged = np.zeros(len(z), dtype=bool)
        for side in (1, -1):
            beyond = side * z > rule.sigmas
            flagged |= beyond & (rolling_count(beyond, rule.window) >= rule.needed)
        found[rule.number] = np.flatnonzero(flagged) + 1
    return found


def _collapse(values: np.ndarray) -> float | np.ndarray:
    """One number when every point has the same limit, else the array."""
    values = np.asarray(values, dtype=float)
    return float(values[0]) if np.allclose(values, values[0], rtol=0, atol=0) else values


def _chart(chart: str, values, center, sigma, clip: bool) -> Limits:
    lcl = center - CONTROL_SIGMAS * sigma
    # Counts, proportions and spreads cannot be negative; measurements may be.
    lcl = np.maximum(lcl, 0.0) if clip else lcl
    return Limits(chart, np.asarray(values, dtype=float), _collapse(np.broadcast_to(center, np.shape(values))),
                  _collapse(np.broadcast_to(center + CONTROL_SIGMAS * sigma, np.shape(values))),
                  _collapse(np.broadcast_to(lcl, np.shape(values))))


def _finish(main: Limits, sigma_points, labels, sigma, second, notes) -> ControlResult:
    rules = western_electric(main.values, main.center, sigma_points)
    return ControlResult(main, tuple(map(str, labels)), sigma, rules, second, tuple(notes))


def subgroups(table: pd.DataFrame, column: str, subgroup: str) -> pd.DataFrame:
    """Per-subgroup statistics, every subgroup of a size the factor tables cover."""
    stats = by_subgroup(numeric(table, column), require_column(table, subgroup))
    bad = stats.index[(stats["n"] < MIN_SUBGROUP_SIZE) | (stats["n"] > MAX_SUBGROUP_SIZE)]
    if len(bad):
        raise BadInputError(f"subgroup(s) {row_list(bad)} of '{subgroup}' have fewer than {MIN_SUBGROUP_SIZE} or "
                            f"more than {MAX_SUBGROUP_SIZE} values")
    if stats.empty:
        raise BadInputError(f"column '{column}' has no values")
    return stats


def sigma_from_ranges(stats: pd.DataFrame) -> float:
    """Within-subgroup sigma: the mean of R/d2(n) over subgroups (R-bar/d2 when sizes are equal)."""
    return float((stats["range"] / factors("d2", stats["n"])).mean())


def moving_ranges(x: np.ndarray) -> np.ndarray:
    """|x[i] - x[i-1]|, with NaN for the first point, which has no predecessor."""
    return np.concatenate(([np.nan], np.abs(np.diff(x))))


def sigma_from_moving_ranges(x: np.ndarray) -> float:
    """Within sigma of individual values: MR-bar / d2(2)."""
    return float(np.nanmean(moving_ranges(x))) / factor("d2", MOVING_RANGE_SPAN)


def xbar_chart(table: pd.DataFrame, column: str, subgroup: str, spread: str = "R") -> ControlResult:
    """X-bar chart with its R chart (spread 'R') or S chart (spread 'S')."""
    stats = subgroups(table, column, subgroup)
    n = stats["n"].to_numpy()
    center = float((stats["mean"] * n).sum() / n.sum())
    if spread == "R":
        sigma = sigma_from_ranges(stats)
        half, unbias = factors("A2", n) * factors("d2", n) * sigma, factors("d2", n)
        low, high, points = factors("D3", n), factors("D4", n), stats["range"]
    else:
        sigma = float((stats["sd"] / factors("c4", n)).mean())
        half, unbias = factors("A3", n) * factors("c4", n) * sigma, factors("c4", n)
        low, high, points = factors("B3", n), factors("B4", n), stats["sd"]
    main = _chart(f"xbar-{spread.lower()}", stats["mean"], center, half / CONTROL_SIGMAS, clip=False)
    second = Limits(spread, points.to_numpy(dtype=float), _collapse(unbias * sigma), _collapse(high * unbias * sigma),
                    _collapse(low * unbias * sigma))
    notes = [Note("few_subgroups", {"n": len(stats), "min": MIN_SUBGROUPS})] if len(stats) < MIN_SUBGROUPS else []
    return _finish(main, half / CONTROL_SIGMAS, stats.index, sigma, second, notes)


def _few(count: int) -> list[Note]:
    return [Note("few_points", {"n": count, "min": MIN_SUBGROUPS})] if count < MIN_SUBGROUPS else []


def _columns(table: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, list[Note]]:
    """The named columns as floats; rows with a blank in any of them left out (with a note)."""
    frame = pd.DataFrame({name: numeric(table, name) for name in names})
    blank = frame.isna().any(axis=1)
    notes = [Note("blank_values", {"n": int(blank.sum()), "column": "/".join(names)})] if blank.any() else []
    frame = frame[~blank]
    if frame.empty:
        raise BadInputError(f"column(s) {', '.join(names)} have no values")
    for name in names:
        negative = frame.index[frame[name] < 0]
        if len(negative):
            raise BadInputError(f"column '{name}' has negative values in row(s) {row_list(negative)}")
    return frame, notes


def imr_chart(table: pd.DataFrame, column: str) -> ControlResult:
    """Individuals chart (sigma = MR-bar / d2(2)) with its moving-range chart."""
    values = numeric(table, column)
    notes = [Note("blank_values", {"n": int(values.isna().sum()), "column": column})] if values.isna().any() else []
    values = values.dropna()
    if len(values) < MOVING_RANGE_SPAN:
        raise BadInputError(f"column '{column}' needs at least {MOVING_RANGE_SPAN} values for an I-MR chart")
    x = values.to_numpy()
    moving = moving_ranges(x)
    sigma = sigma_from_moving_ranges(x)
    mr_bar = float(np.nanmean(moving))
    main = _chart("imr", x, float(x.mean()), sigma, clip=False)
    second = Limits("MR", moving, mr_bar, factor("D4", MOVING_RANGE_SPAN) * mr_bar,
                    factor("D3", MOVING_RANGE_SPAN) * mr_bar)
    return _finish(main, sigma, values.index, sigma, second, notes + _few(len(x)))


def attribute_chart(table: pd.DataFrame, chart: str, count: str, size: str | None = None) -> ControlResult:
    """p, np (defectives of samples of a size), c (defects per unit) or u (defects per unit of varying size)."""
    frame, notes = _columns(table, [count] + ([size] if size else []))
    counts = frame[count].to_numpy()
    if chart == "c":
        center = float(counts.mean())
        return _finish(_chart("c", counts, center, np.sqrt(center), clip=True), np.sqrt(center), frame.index, None,
                       None, notes + _few(len(counts)))
    sizes = frame[size].to_numpy()
    empty = frame.index[sizes <= 0]
    if len(empty):
        raise BadInputError(f"column '{size}' must be above zero; it is not in row(s) {row_list(empty)}")
    rate = counts.sum() / sizes.sum()
    if chart == "u":
        sigma = np.sqrt(rate / sizes)
        return _finish(_chart("u", counts / sizes, rate, sigma, clip=True), sigma, frame.index, None, None,
                       notes + _few(len(counts)))
    over = frame.index[counts > sizes]
    if len(over):
        raise BadInputError(f"'{count}' is larger than '{size}' in row(s) {row_list(over)}")
    if chart == "np":
        if np.ptp(sizes) > 0:
            raise BadInputError(f"an np chart needs one sample size, but '{size}' varies: use the p chart")
        sigma = np.sqrt(sizes[0] * rate * (1 - rate))
        main = _chart("np", counts, sizes[0] * rate, sigma, clip=True)
    else:
        sigma = np.sqrt(rate * (1 - rate) / sizes)
        main = _chart("p", counts / sizes, rate, sigma, clip=True)
    return _finish(main, sigma, frame.index, None, None, notes + _few(len(counts)))


def control_chart(table: pd.DataFrame, chart: str, column: str | None = None, subgroup: str | None = None,
                  defectives: str | None = None, size: str | None = None) -> ControlResult:
    """The chart of the given type from the columns it needs; BadInputError names what is missing."""
    needs = {"xbar-r": ("column", "subgroup"), "xbar-s": ("column", "subgroup"), "imr": ("column",),
             "p": ("defectives", "size"), "np": ("defectives", "size"), "c": ("column",), "u": ("defectives", "size")}
    if chart not in needs:
        raise BadInputError(f"unknown chart type '{chart}': use one of {', '.join(CHART_TYPES)}")
    given = {"column": column, "subgroup": subgroup, "defectives": defectives, "size": size}
    missing = [f"--{name}" for name in needs[chart] if not given[name]]
    if missing:
        raise BadInputError(f"a {chart} chart needs {' and '.join(missing)}")
    if chart.startswith("xbar"):
        return xbar_chart(table, column, subgroup, "R" if chart == "xbar-r" else "S")
    if chart == "imr":
        return imr_chart(table, column)
    if chart == "c":
        return attribute_chart(table, "c", column)
    return attribute_chart(table, chart, defectives, size)
