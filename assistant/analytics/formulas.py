"""The arithmetic of the QC metrics on figures already counted: shares, DPMO and its sigma level, NPS, capability
indices, RPN and percentage change. Standard library only, so the chat's calculators can use it without pandas
or scipy; the table analyses use the same functions."""

from __future__ import annotations

from statistics import NormalDist

from assistant.analytics.constants import PERCENT, PPM, SIGMA_SHIFT

SIX_SIGMA_SPAN = 6.0  # Cp compares the specification width with +-3 sigma
ONE_SIDE_SPAN = 3.0


def share_pct(part: float, whole: float) -> float:
    """part / whole as a percentage: defect, return and complaint rates, first-pass yield, CSAT."""
    return part / whole * PERCENT


def dpmo(defects: float, units: float, opportunities: float) -> float:
    """Defects per million opportunities."""
    return defects / (units * opportunities) * PPM


def sigma_level(defects_per_million: float) -> float:
    """The short-term sigma level of a long-term DPMO: the normal quantile of the yield plus the conventional 1.5
    sigma shift (3.4 DPMO -> 6.0)."""
    return NormalDist().inv_cdf(1 - defects_per_million / PPM) + SIGMA_SHIFT


def nps(promoters: float, detractors: float, respondents: float) -> float:
    """Net Promoter Score from counts: the share of promoters minus the share of detractors, in points."""
    return (promoters - detractors) / respondents * PERCENT


def capability_indices(mean: float, sigma: float, usl: float | None, lsl: float | None) -> tuple[float | None, float]:
    """(Cp-like, Cpk-like) for one sigma: the spread index needs both limits, the centred one the nearer side."""
    sides = [(usl - mean) if usl is not None else None, (mean - lsl) if lsl is not None else None]
    nearest = min(s for s in sides if s is not None)
    spread = (usl - lsl) / (SIX_SIGMA_SPAN * sigma) if None not in sides else None
    return spread, nearest / (ONE_SIDE_SPAN * sigma)


def rpn(severity: float, occurrence: float, detection: float) -> float:
    """FMEA risk priority number S x O x D."""
    return severity * occurrence * detection


def change_pct(before: float, after: float) -> float:
    """Relative change from before to after, in percent (negative for a fall)."""
    return (after / before - 1) * PERCENT
