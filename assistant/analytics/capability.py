"""Process capability: Cp, Cpk (within sigma), Pp, Ppk (overall sigma), Bissell's interval for Cpk, the
Anderson-Darling normality check and the expected ppm outside the specification."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from assistant.analytics.constants import (
    AD_P_PIECES,
    AD_SCALE,
    ALPHA,
    HISTOGRAM_MAX_BINS,
    MOVING_RANGE_SPAN,
    PPM,
    Z_95,
)
from assistant.analytics.control import sigma_from_moving_ranges, sigma_from_ranges, subgroups
from assistant.analytics.formulas import capability_indices
from assistant.analytics.notes import Note, p_text
from assistant.analytics.table import numeric
from assistant.analytics.values import json_ready
from assistant.errors import BadInputError


@dataclass(frozen=True)
class CapabilityResult:
    """Indices (None where a one-sided specification has no value), the normal model's ppm and a histogram."""

    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    within_method: str
    usl: float | None
    lsl: float | None
    cp: float | None
    cpk: float
    pp: float | None
    ppk: float
    cpk_ci: tuple[float, float]
    ppm_below: float | None
    ppm_above: float | None
    normality_stat: float
    normality_p: float
    histogram: dict
    notes: tuple[Note, ...] = ()

    analysis = "capability"

    def to_dict(self) -> dict:
        fields = {k: v for k, v in vars(self).items() if k != "notes"}
        return json_ready({"analysis": self.analysis, **fields})


def anderson_darling(x: np.ndarray) -> tuple[float, float]:
    """The Anderson-Darling statistic A^2 for normality (mean and sigma estimated) and its p-value from the
    D'Agostino-Stephens fit of the scaled statistic."""
    n = len(x)
    z = np.sort((x - x.mean()) / x.std(ddof=1))
    weights = 2 * np.arange(1, n + 1) - 1
    a2 = float(-n - np.mean(weights * (stats.norm.logcdf(z) + stats.norm.logsf(z[::-1]))))
    scaled = a2 * (1 + AD_SCALE[0] / n + AD_SCALE[1] / n ** 2)
    for bound, a, b, c, complement in AD_P_PIECES:
        if scaled >= bound:
            value = math.exp(a + b * scaled + c * scaled ** 2)
            return a2, float(min(max(1 - value if complement else value, 0.0), 1.0))
    raise AssertionError("the last piece has no lower bound")


def bissell_interval(cpk: float, n: int) -> tuple[float, float]:
    """Bissell's (1990) normal approximation: Cpk +- z * sqrt(1/(9n) + Cpk^2 / (2(n-1)))."""
    half = Z_95 * math.sqrt(1 / (9 * n) + cpk ** 2 / (2 * (n - 1)))
    return cpk - half, cpk + half


def _histogram(x: np.ndarray) -> dict:
    edges = np.histogram_bin_edges(x, bins="auto")
    counts, edges = np.histogram(x, bins=edges if len(edges) <= HISTOGRAM_MAX_BINS + 1 else HISTOGRAM_MAX_BINS)
    return {"edges": edges, "counts": counts}


def capability(table: pd.DataFrame, column: str, usl: float | None = None, lsl: float | None = None,
               subgroup: str | None = None) -> CapabilityResult:
    """Capability of the column against the specification; within sigma from R-bar/d2 with a subgroup column,
    else from MR-bar/d2(2); overall sigma the sample standard deviation."""
    if usl is None and lsl is None:
        raise BadInputError("capability needs a specification: give --usl, --lsl or both")
    if usl is not None and lsl is not None and usl <= lsl:
        raise BadInputError(f"the upper specification limit ({usl:g}) must be above the lower one ({lsl:g})")
    x = numeric(table, column).dropna().to_numpy()
    if len(x) <= MOVING_RANGE_SPAN or np.ptp(x) == 0:
        raise BadInputError(f"column '{column}' needs at least {MOVING_RANGE_SPAN + 1} values that are not all equal")
    if subgroup:
        within, method = sigma_from_ranges(subgroups(table, column, subgroup)), "R-bar/d2"
    else:
        within, method = sigma_from_moving_ranges(x), "MR-bar/d2(2)"
    mean, overall = float(x.mean()), float(x.std(ddof=1))
    cp, cpk = capability_indices(mean, within, usl, lsl)
    pp, ppk = capability_indices(mean, overall, usl, lsl)
    a2, p_normal = anderson_darling(x)
    notes = [Note("not_normal", {"p": p_text(p_normal)})] if p_normal < ALPHA else []
    return CapabilityResult(
        n=len(x), mean=mean, sigma_within=within, sigma_overall=overall, within_method=method, usl=usl, lsl=lsl,
        cp=cp, cpk=cpk, pp=pp, ppk=ppk, cpk_ci=bissell_interval(cpk, len(x)),
        ppm_below=float(stats.norm.cdf((lsl - mean) / overall) * PPM) if lsl is not None else None,
        ppm_above=float(stats.norm.sf((usl - mean) / overall) * PPM) if usl is not None else None,
        normality_stat=a2, normality_p=p_normal, histogram=_histogram(x), notes=tuple(notes))
