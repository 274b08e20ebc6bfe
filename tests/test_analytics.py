"""The analytics against published textbook answers and against independent computations. Data sets are copied
verbatim from the R package qcc (github.com/luca-scr/qcc, data/*.txt, GPL-2; they are the textbook's tables), and
qcc's published results are those recorded by the mistat package's comparison with R
(github.com/gedeck/mistat, src/mistat/qcc/tests/test_comparison_with_R.py and test_processCapability.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assistant.analytics.capability import anderson_darling, capability
from assistant.analytics.compare import compare_rates, compare_scores
from assistant.analytics.constants import _PRINTED, MAX_SUBGROUP_SIZE, MIN_SUBGROUP_SIZE, c4, factor
from assistant.analytics.control import control_chart
from assistant.analytics.link import link
from assistant.analytics.pareto import pareto
from assistant.analytics.satisfaction import satisfaction

# qcc data/pistonrings.txt, samples 1-25 (the "trial" rows): Montgomery's piston-ring inside diameters, 25 x 5.
PISTON_RINGS = """
74.030 74.002 74.019 73.992 74.008 73.995 73.992 74.001 74.011 74.004 73.988 74.024 74.021 74.005 74.002
74.002 73.996 73.993 74.015 74.009 73.992 74.007 74.015 73.989 74.014 74.009 73.994 73.997 73.985 73.993
73.995 74.006 73.994 74.000 74.005 73.985 74.003 73.993 74.015 73.988 74.008 73.995 74.009 74.005 74.004
73.998 74.000 73.990 74.007 73.995 73.994 73.998 73.994 73.995 73.990 74.004 74.000 74.007 74.000 73.996
73.983 74.002 73.998 73.997 74.012 74.006 73.967 73.994 74.000 73.984 74.012 74.014 73.998 73.999 74.007
74.000 73.984 74.005 73.998 73.996 73.994 74.012 73.986 74.005 74.007 74.006 74.010 74.018 74.003 74.000
73.984 74.002 74.003 74.005 73.997 74.000 74.010 74.013 74.020 74.003 73.988 74.001 74.009 74.005 73.996
74.004 73.999 73.990 74.006 74.009 74.010 73.989 73.990 74.009 74.014 74.015 74.008 73.993 74.000 74.010
73.982 73.984 73.995 74.017 74.013""".split()
# qcc data/orangejuice.txt, samples 1-30 (trial): nonconforming cans in samples of 50 (Montgomery's p chart).
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7,
                13, 9, 6]
# qcc data/antifreeze.txt: water content of antifreeze batches (Wetherill and Brown 1991, p. 120).
ANTIFREEZE = [2.23, 2.53, 2.62, 2.63, 2.58, 2.44, 2.49, 2.34, 2.95, 2.54, 2.60, 2.45, 2.17, 2.58, 2.57, 2.44, 2.38,
              2.23, 2.23, 2.54, 2.66, 2.84, 2.81, 2.39, 2.56, 2.70, 3.00, 2.81, 2.77, 2.89, 2.54, 2.98, 2.35, 2.53]
# qcc data/circuit.txt, samples 1-26 (trial): nonconformities per 100 printed circuit boards (Montgomery's c chart).
CIRCUIT = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]
# qcc data/dyedcloth.txt: defects and inspected units (50 m2 each) of dyed cloth (Montgomery's u chart).
DYED_CLOTH = ([14, 12, 20, 11, 7, 10, 21, 16, 19, 23], [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5])


def table(**columns) -> pd.DataFrame:
    """A table as read_table returns one: text cells, the index the file's row numbers (header = row 1)."""
    frame = pd.DataFrame({name: [str(v) for v in values] for name, values in columns.items()}, dtype=str)
    frame.index = np.arange(len(frame)) + 2
    return frame


def pistons() -> pd.DataFrame:
    return table(diameter=PISTON_RINGS, sample=[i // 5 + 1 for i in range(len(PISTON_RINGS))])


def test_xbar_r_on_montgomerys_piston_rings():
    """qcc: centre 74.00118, X-bar limits 73.98805 / 74.0143, R-bar 0.02276, R chart UCL 0.04812533; Montgomery
    prints these rounded as 74.001, 0.023 and 73.988 / 74.014. qcc uses exact d2/D4, the chart the printed table."""
    result = control_chart(pistons(), "xbar-r", column="diameter", subgroup="sample")
    assert result.main.center == pytest.approx(74.00118, abs=5e-6)
    assert (result.main.lcl, result.main.ucl) == pytest.approx((73.98805, 74.0143), abs=2e-5)
    assert result.sigma == pytest.approx(0.009785039, rel=1e-5)
    assert result.second.center == pytest.approx(0.02276, rel=1e-6)
    assert (result.second.lcl, result.second.ucl) == (0.0, pytest.approx(0.04812533, rel=1e-3))
    assert round(result.main.center, 3) == 74.001 and round(result.second.center, 3) == 0.023
    assert result.out_of_control == [] and not result.notes


def test_xbar_s_on_montgomerys_piston_rings():
    """qcc: S-bar 0.009240037, S chart UCL 0.019302416 (LCL 0), sigma S-bar/c4 = 0.009829977."""
    result = control_chart(pistons(), "xbar-s", column="diameter", subgroup="sample")
    assert result.second.center == pytest.approx(0.009240037, rel=1e-6)
    assert result.second.ucl == pytest.approx(0.019302416, rel=1e-4) and result.second.lcl == 0.0
    assert result.sigma == pytest.approx(0.009829977, rel=1e-4)


def test_p_chart_on_montgomerys_orange_juice_cans():
    """qcc: p-bar 0.2313333, limits 0.05242755 / 0.4102391, samples 15 and 23 above the UCL; without them
    0.215, 0.04070284 / 0.3892972 (Montgomery: 0.2313, 0.0524 / 0.4102, then 0.2150, 0.0407 / 0.3893)."""
    result = control_chart(table(D=ORANGE_JUICE, n=[50] * 30), "p", defectives="D", size="n")
    assert result.main.center == pytest.approx(0.2313333, rel=1e-6)
    assert (result.main.lcl, result.main.ucl) == pytest.approx((0.05242755, 0.4102391), rel=1e-6)
    assert list(result.main.beyond()) == [15, 23] and list(result.rule_violations[1]) == [15, 23]
    kept = [d for i, d in enumerate(ORANGE_JUICE, start=1) if i not in (15, 23)]
    again = control_chart(table(D=kept, n=[50] * 28), "p", defectives="D", size="n")
    assert (again.main.center, again.main.lcl, again.main.ucl) == pytest.approx((0.215, 0.04070284, 0.3892972),
                                                                                rel=1e-6)


def test_np_chart_is_the_p_chart_times_n():
    """Independent: the np chart's centre and limits are 50 times the p chart's."""
    p = control_chart(table(D=ORANGE_JUICE, n=[50] * 30), "p", defectives="D", size="n").main
    np_chart = control_chart(table(D=ORANGE_JUICE, n=[50] * 30), "np", defectives="D", size="n").main
    assert (np_chart.center, np_chart.lcl, np_chart.ucl) == pytest.approx((50 * p.center, 50 * p.lcl, 50 * p.ucl))


def test_individuals_chart_on_the_antifreeze_data():
    """qcc (type xbar.one): centre 2.569706, sigma MR-bar/d2 0.1794541, limits 2.031344 / 3.108068. qcc's d2(2)
    is the exact 1.128379; the printed 1.128 moves sigma by 3e-4 relative."""
    result = control_chart(table(water=ANTIFREEZE), "imr", column="water")
    assert result.main.center == pytest.approx(2.569706, rel=1e-6)
    assert result.sigma == pytest.approx(0.1794541, rel=5e-4)
    assert (result.main.lcl, result.main.ucl) == pytest.approx((2.031344, 3.108068), rel=2e-4)
    assert result.second.center == pytest.approx(np.mean(np.abs(np.diff(ANTIFREEZE))))


def test_c_chart_on_montgomerys_circuit_boards():
    """No published answer found in a stored source; by hand: c-bar = 516/26 = 19.846, limits 19.846 -+
    3 sqrt(19.846) = 6.481 / 33.211, so sample 6 (5) and sample 20 (39) are out of control."""
    result = control_chart(table(c=CIRCUIT), "c", column="c")
    assert result.main.center == pytest.approx(516 / 26)
    assert (result.main.lcl, result.main.ucl) == pytest.approx((6.481, 33.211), abs=1e-3)
    assert list(result.rule_violations[1]) == [6, 20]


def test_u_chart_limits_vary_with_the_units_inspected():
    """Dyed cloth, by hand: u-bar = 153 / 107.5; each sample's limits u-bar -+ 3 sqrt(u-bar / n_i)."""
    defects, units = DYED_CLOTH
    result = control_chart(table(x=defects, units=units), "u", defectives="x", size="units")
    u_bar = 153 / 107.5
    assert result.main.center == pytest.approx(u_bar)
    assert np.allclose(result.main.ucl, u_bar + 3 * np.sqrt(u_bar / np.array(units)))
    assert np.allclose(result.main.lcl, np.maximum(u_bar - 3 * np.sqrt(u_bar / np.array(units)), 0))


def test_capability_on_the_piston_rings_matches_qcc():
    """qcc process.capability, spec 73.95-74.05: Cp 1.703, Cpk 1.663 with 95% interval 1.448-1.878; spec
    73.99-74.01: Cp 0.3407, Cpk 0.3006 with interval 0.2312-0.3700 (within sigma R-bar/d2, n = 125)."""
    wide = capability(pistons(), "diameter", usl=74.05, lsl=73.95, subgroup="sample")
    assert (wide.cp, wide.cpk) == pytest.approx((1.703, 1.663), abs=6e-4)
    assert wide.cpk_ci == pytest.approx((1.448, 1.878), abs=6e-4)
    narrow = capability(pistons(), "diameter", usl=74.01, lsl=73.99, subgroup="sample")
    assert (narrow.cp, narrow.cpk) == pytest.approx((0.3407, 0.3006), abs=1e-4)
    assert narrow.cpk_ci == pytest.approx((0.2312, 0.3700), abs=1e-4)


def test_capability_against_independent_formulas():
    """Pp/Ppk from the sample standard deviation, ppm from the normal model, one-sided specifications."""
    x = np.array(PISTON_RINGS, dtype=float)
    s, mean = x.std(ddof=1), x.mean()
    result = capability(pistons(), "diameter", usl=74.01, lsl=73.99)
    assert result.pp == pytest.approx(0.02 / (6 * s)) and result.ppk == pytest.approx((74.01 - mean) / (3 * s))
    assert result.ppm_below == pytest.approx(1e6 * stats.norm.cdf(73.99, mean, s))
    assert result.ppm_above == pytest.approx(1e6 * stats.norm.sf(74.01, mean, s))
    assert result.sigma_within == pytest.approx(np.mean(np.abs(np.diff(x))) / 1.128)
    upper_only = capability(pistons(), "diameter", usl=74.01)
    assert upper_only.cp is None and upper_only.pp is None and upper_only.ppm_below is None
    assert upper_only.cpk == pytest.approx((74.01 - mean) / (3 * upper_only.sigma_within))


@pytest.mark.parametrize("seed, draw", [(1, "normal"), (2, "exponential"), (3, "uniform"), (4, "normal")])
def test_anderson_darling_agrees_with_scipy(seed, draw):
    """Independent: scipy's statistic exactly; its table-interpolated p-value (clipped to 0.01-0.15) closely."""
    x = getattr(np.random.default_rng(seed), draw)(size=60)
    a2, p = anderson_darling(x)
    reference = stats.anderson(x, "norm", method="interpolate")
    assert a2 == pytest.approx(reference.statistic, rel=1e-9)
    if 0.01 < reference.pvalue < 0.15:
        assert p == pytest.approx(reference.pvalue, abs=0.01)
    assert (p < 0.05) == (reference.pvalue < 0.05)


def test_the_printed_factors_match_their_formulas():
    """Appendix VI against its definitions: d2 and d3 of the range of n normals (numerical integration), c4 by
    the gamma function, A2 = 3/(d2 sqrt n), A3 = 3/(c4 sqrt n), B3/B4 = 1 -+ 3 sqrt(1 - c4^2)/c4, D3/D4 =
    1 -+ 3 d3/d2 (negative lower factors printed as 0)."""
    x, r = np.linspace(-9, 9, 901), np.linspace(0, 14, 701)
    for n in range(MIN_SUBGROUP_SIZE, MAX_SUBGROUP_SIZE + 1):
        inner = np.clip(stats.norm.cdf(x[None, :] + r[:, None]) - stats.norm.cdf(x[None, :]), 0, 1) ** (n - 1)
        survival = 1 - n * np.trapezoid(stats.norm.pdf(x)[None, :] * inner, x, axis=1)
        d2 = np.trapezoid(survival, r)
        d3 = np.sqrt(2 * np.trapezoid(r * survival, r) - d2 ** 2)
        k = 3 * np.sqrt(1 - c4(n) ** 2) / c4(n)
        expected = {"d2": d2, "A2": 3 / (d2 * np.sqrt(n)), "A3": 3 / (c4(n) * np.sqrt(n)), "B3": max(0, 1 - k),
                    "B4": 1 + k, "D3": max(0, 1 - 3 * d3 / d2), "D4": 1 + 3 * d3 / d2}
        for name, value in expected.items():
            assert _PRINTED[name][n - 2] == pytest.approx(value, abs=2.5e-3), (name, n)
        assert factor("c4", n) == pytest.approx(stats.chi(n - 1).mean() / np.sqrt(n - 1))  # E[s] / sigma
    assert round(c4(2), 4) == 0.7979 and round(c4(25), 4) == 0.9896


def test_nps_csat_ces_computed_by_hand():
    """By hand: answers 10 9 9 8 7 6 5 10 3 9 have 5 promoters, 3 detractors: NPS = 50 - 30 = 20; variance
    ((0.5 + 0.3) - 0.2^2) / 10 = 0.076, so the 95% interval is 20 -+ 1.96 * 100 * sqrt(0.076) = -34.03 / 74.03.
    CSAT 5 4 3 2 5 4 4 1 3 5: 6 of 10 are 4 or 5, 60%. CES mean 36/10 = 3.6. Segment a answered 10 9 7 6 3
    (NPS 40 - 40 = 0), segment b 9 8 5 10 9 (NPS 60 - 20 = 40)."""
    data = table(nps=[10, 9, 9, 8, 7, 6, 5, 10, 3, 9], csat=[5, 4, 3, 2, 5, 4, 4, 1, 3, 5],
                 ces=[2, 3, 5, 4, 3, 6, 4, 2, 5, 2], seg=list("aabbaabbab"))
    result = satisfaction(data, "nps", "csat", "ces", segment="seg")
    assert result.overall.nps == pytest.approx(20)
    assert result.overall.nps_ci == pytest.approx((-34.03, 74.03), abs=0.01)
    assert (result.overall.promoters_pct, result.overall.detractors_pct) == pytest.approx((50, 30))
    assert result.overall.csat_top2_pct == pytest.approx(60) and result.overall.ces_mean == pytest.approx(3.6)
    segments = dict(result.segments)
    assert set(segments) == {"a", "b"} and segments["a"].n == 5
    assert (segments["a"].nps, segments["b"].nps) == pytest.approx((0, 40))


def test_rate_comparison_computed_by_hand():
    """By hand: returns 100 of 1000 before, 70 of 1000 after: -30%; pooled z = -0.03 / sqrt(0.085 * 0.915 *
    0.002) = -2.405, p = 0.0162; Katz: exp(ln 0.7 -+ 1.96 sqrt(1/70 - 1/1000 + 1/100 - 1/1000)) = 0.5224 / 0.9379.
    Independently, the uncorrected chi-square test of the 2x2 table has the same p."""
    result = compare_rates((100, 1000), (70, 1000), "return rate")
    assert result.change_pct == pytest.approx(-30) and result.statistic == pytest.approx(-2.4054, abs=1e-4)
    assert result.change_ci == pytest.approx((-47.76, -6.21), abs=0.01)
    chi2 = stats.chi2_contingency([[100, 900], [70, 930]], correction=False)
    assert result.p_value == pytest.approx(chi2.pvalue, rel=1e-9)
    assert result.sentence("en") == "The return rate fell 30% (95% CI 6.2% to 48%), p = 0.016."
    assert result.sentence("zh") == "退货率下降 30%（95% 置信区间 6.2%–48%），p = 0.016。"


def test_score_comparison_against_the_welch_formula():
    """Independent: t = (m2 - m1) / sqrt(v1/n1 + v2/n2) with Welch-Satterthwaite degrees of freedom."""
    rng = np.random.default_rng(7)
    before, after = rng.normal(7.0, 1.5, 40), rng.normal(7.8, 2.0, 35)
    result = compare_scores(before, after, "csat")
    v1, v2 = before.var(ddof=1) / 40, after.var(ddof=1) / 35
    t = (after.mean() - before.mean()) / np.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1 ** 2 / 39 + v2 ** 2 / 34)
    assert result.statistic == pytest.approx(t) and result.p_value == pytest.approx(2 * stats.t.sf(abs(t), df))
    assert result.mannwhitney_p == pytest.approx(stats.mannwhitneyu(after, before).pvalue)


def test_lagged_spearman_against_ranked_pearson():
    """Independent: Spearman's rho is Pearson's r of the ranks; p from t = r sqrt((n-2)/(1-r^2))."""
    rng = np.random.default_rng(3)
    qc = rng.normal(size=24)
    sat = np.concatenate(([0.0], -qc[:-1])) + rng.normal(0, 0.3, 24)
    months = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
    order = rng.permutation(24)  # rows in any order: link sorts by month
    result = link(table(m=np.array(months)[order], q=qc[order], s=sat[order]), "m", "q", "s")
    x, y = qc[:-1], sat[1:]
    r = np.corrcoef(stats.rankdata(x), stats.rankdata(y))[0, 1]
    p = 2 * stats.t.sf(abs(r) * np.sqrt(21 / (1 - r ** 2)), 21)
    lag1 = result.lags[1]
    assert (lag1.lag, lag1.n) == (1, 23) and lag1.rho == pytest.approx(r) and lag1.p_value == pytest.approx(p)
    assert lag1.rho < -0.8 and result.notes[-1].code == "correlation_caution"


def test_pareto_vital_few_includes_the_category_that_crosses_80_percent():
    """By hand: 50, 20, 15, 10, 5 of 100 -> cumulative 50, 70, 85: the vital few are the first three."""
    data = table(cause=list("ABCDE"), n=[20, 50, 10, 15, 5])
    result = pareto(data, "cause", "n")
    assert [i.category for i in result.items] == ["B", "A", "D", "C", "E"]
    assert [i.cum_pct for i in result.items] == pytest.approx([50, 70, 85, 95, 100])
    assert result.vital_few == ("B", "A", "D")
    counted = pareto(table(cause=list("AABAC")), "cause")
    assert [(i.category, i.count) for i in counted.items] == [("A", 3), ("B", 1), ("C", 1)]
