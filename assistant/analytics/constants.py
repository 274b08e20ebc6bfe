"""Every threshold and table the analytics use, in one place: control-chart factors, Western Electric rules,
survey scales and the confidence level."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.errors import BadInputError

MIN_SUBGROUP_SIZE = 2
MAX_SUBGROUP_SIZE = 25
# Factors for control charts, subgroup size n = 2..25, as printed in Montgomery, Introduction to Statistical
# Quality Control, Appendix Table VI (the same values as ASTM E2587). c4 is computed (c4 below); the test checks
# each printed column against its defining formula.
_PRINTED = {
    "A2": (1.880, 1.023, 0.729, 0.577, 0.483, 0.419, 0.373, 0.337, 0.308, 0.285, 0.266, 0.249, 0.235, 0.223,
           0.212, 0.203, 0.194, 0.187, 0.180, 0.173, 0.167, 0.162, 0.157, 0.153),
    "A3": (2.659, 1.954, 1.628, 1.427, 1.287, 1.182, 1.099, 1.032, 0.975, 0.927, 0.886, 0.850, 0.817, 0.789,
           0.763, 0.739, 0.718, 0.698, 0.680, 0.663, 0.647, 0.633, 0.619, 0.606),
    "B3": (0, 0, 0, 0, 0.030, 0.118, 0.185, 0.239, 0.284, 0.321, 0.354, 0.382, 0.406, 0.428,
           0.448, 0.466, 0.482, 0.497, 0.510, 0.523, 0.534, 0.545, 0.555, 0.565),
    "B4": (3.267, 2.568, 2.266, 2.089, 1.970, 1.882, 1.815, 1.761, 1.716, 1.679, 1.646, 1.618, 1.594, 1.572,
           1.552, 1.534, 1.518, 1.503, 1.490, 1.477, 1.466, 1.455, 1.445, 1.435),
    "D3": (0, 0, 0, 0, 0, 0.076, 0.136, 0.184, 0.223, 0.256, 0.283, 0.307, 0.328, 0.347,
           0.363, 0.378, 0.391, 0.403, 0.415, 0.425, 0.434, 0.443, 0.451, 0.459),
    "D4": (3.267, 2.574, 2.282, 2.114, 2.004, 1.924, 1.864, 1.816, 1.777, 1.744, 1.717, 1.693, 1.672, 1.653,
           1.637, 1.622, 1.608, 1.597, 1.585, 1.575, 1.566, 1.557, 1.548, 1.541),
    "d2": (1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078, 3.173, 3.258, 3.336, 3.407, 3.472,
           3.532, 3.588, 3.640, 3.689, 3.735, 3.778, 3.819, 3.858, 3.895, 3.931),
}
FACTOR_NAMES = (*_PRINTED, "c4")

CONTROL_SIGMAS = 3.0  # Shewhart limits at centre +- 3 sigma
MOVING_RANGE_SPAN = 2  # I-MR: ranges of two consecutive points, so sigma = MR-bar / d2(2)
MIN_SUBGROUPS = 20  # fewer give unreliable limits (Montgomery: 20-25 preliminary samples)


def c4(n: int) -> float:
    """The bias of the sample standard deviation for n normal values: E[s] = c4 * sigma."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def check_subgroup_size(n: int) -> None:
    """BadInputError unless the factor tables cover a subgroup of n values."""
    if not MIN_SUBGROUP_SIZE <= n <= MAX_SUBGROUP_SIZE:
        raise BadInputError(f"a subgroup has {n} value(s): control-chart factors cover subgroups of "
                            f"{MIN_SUBGROUP_SIZE} to {MAX_SUBGROUP_SIZE}")


def factor(name: str, n: int) -> float:
    """One factor (A2, A3, B3, B4, D3, D4, d2, c4) for subgroups of n."""
    check_subgroup_size(n)
    return c4(n) if name == "c4" else _PRINTED[name][n - MIN_SUBGROUP_SIZE]


def factors(name: str, sizes: np.ndarray) -> np.ndarray:
    """The factor for each subgroup size in sizes (vectorised; sizes already checked)."""
    table = np.array([factor(name, n) for n in range(MIN_SUBGROUP_SIZE, MAX_SUBGROUP_SIZE + 1)])
    return table[np.asarray(sizes, dtype=int) - MIN_SUBGROUP_SIZE]


@dataclass(frozen=True)
class RunRule:
    """A Western Electric rule: at least `needed` of the last `window` points beyond `sigmas` on one side of the
    centre line, the newest point among them."""

    number: int
    window: int
    needed: int
    sigmas: float


WESTERN_ELECTRIC_RULES = (
    RunRule(1, 1, 1, 3.0),  # one point beyond 3 sigma
    RunRule(2, 3, 2, 2.0),  # 2 of 3 beyond 2 sigma, same side
    RunRule(3, 5, 4, 1.0),  # 4 of 5 beyond 1 sigma, same side
    RunRule(4, 8, 8, 0.0),  # 8 in a row on one side of the centre line
)

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE
Z_95 = 1.959963984540054  # the standard normal's 97.5% quantile: two-sided 95% intervals
PPM = 1_000_000

NPS_SCALE = (0, 10)
NPS_PROMOTER_MIN = 9  # 9-10 promote
NPS_DETRACTOR_MAX = 6  # 0-6 detract
CSAT_SCALE = (1, 5)
CSAT_TOP2_MIN = 4  # top-2-box: 4 or 5 on a 1-5 scale
CES_SCALE = (1, 7)
PERCENT = 100.0
SIGMA_SHIFT = 1.5  # the conventional long-term drift between short- and long-term sigma levels (Motorola)
FMEA_SCALE = (1, 10)  # severity, occurrence and detection are each rated 1-10

VITAL_FEW_CUM_PCT = 80.0  # the Pareto principle's 80%: categories up to the one that crosses it

LINK_MAX_LAG = 3  # months the QC metric may lead satisfaction
LINK_MIN_PAIRS = 8  # fewer month pairs make a rank correlation little more than noise

ROW_LIST_LIMIT = 10  # error messages name at most this many rows, then "…"
HEADER_ROWS = 1  # row 1 of a file is the header, so data row i (0-based) is file row i + 2

# Anderson-Darling normality test with mean and sigma estimated: the statistic is scaled by (1 + 0.75/n + 2.25/n^2)
# and its p-value read from the piecewise fit of D'Agostino & Stephens, Goodness-of-Fit Techniques (1986),
# Table 4.9: (lower bound of the scaled statistic, a, b, c, p is 1 - e^(a+bA+cA^2) below 0.34, else e^(...)).
AD_SCALE = (0.75, 2.25)
AD_P_PIECES = (
    (0.6, 1.2937, -5.709, 0.0186, False),
    (0.34, 0.9177, -4.279, -1.38, False),
    (0.2, -8.318, 42.796, -59.938, True),
    (float("-inf"), -13.436, 101.14, -223.73, True),
)
HISTOGRAM_MAX_BINS = 50  # more bars than this only add noise to a capability histogram
