"""An analysis result as a short text for people, in English or Chinese."""

from __future__ import annotations

ZH = "zh"
SHOWN_POINTS = 20  # a rule that fires more often than this is listed in part


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _interval(pair) -> str:
    return "-" if not pair else f"[{_num(pair[0])}, {_num(pair[1])}]"


def _pareto(r, zh: bool) -> list[str]:
    lines = [f"{i.category}\t{_num(i.count, 6)}\t{_pct(i.pct)}\t{_pct(i.cum_pct)}" for i in r.items]
    few = "、".join(r.vital_few) if zh else ", ".join(r.vital_few)
    share = _pct(r.items[len(r.vital_few) - 1].cum_pct)
    head = "类别\t数量\t占比\t累计" if zh else "category\tcount\tpct\tcumulative"
    tail = f"关键少数（累计 {share}）：{few}" if zh else f"vital few ({share} of the total): {few}"
    return [head, *lines, tail]


def _limits(limits, zh: bool) -> str:
    def show(value) -> str:
        return _num(value) if isinstance(value, float) else ("逐点不同" if zh else "varies by point")

    return f"CL={show(limits.center)} UCL={show(limits.ucl)} LCL={show(limits.lcl)}"


def _control(r, zh: bool) -> list[str]:
    lines = [f"{r.main.chart.upper()} {_limits(r.main, zh)}"]
    if r.second is not None:
        lines.append(f"{r.second.chart} {_limits(r.second, zh)}")
    for rule, points in r.rule_violations.items():
        if len(points):
            shown = ", ".join(map(str, points[:SHOWN_POINTS])) + (" …" if len(points) > SHOWN_POINTS else "")
            lines.append(f"{'判异准则' if zh else 'Western Electric rule'} {rule}: {shown}")
    count = len(r.out_of_control)
    lines.append(f"失控点：{count} 个" if zh else f"out-of-control points: {count}")
    return lines


def _capability(r, zh: bool) -> list[str]:
    return [f"n={r.n} {'均值' if zh else 'mean'}={_num(r.mean, 6)} σ_within={_num(r.sigma_within)} "
            f"σ_overall={_num(r.sigma_overall)}",
            f"Cp={_num(r.cp, 3)} Cpk={_num(r.cpk, 3)} (95% CI {_interval(r.cpk_ci)}) Pp={_num(r.pp, 3)} "
            f"Ppk={_num(r.ppk, 3)}",
            f"ppm < LSL: {_num(r.ppm_below)}  ppm > USL: {_num(r.ppm_above)}  "
            f"Anderson-Darling p={_num(r.normality_p, 3)}"]


def _satisfaction(r, zh: bool) -> list[str]:
    def line(name: str, s) -> str:
        return (f"{name}: n={s.n} NPS={_num(s.nps, 3)} (95% CI {_interval(s.nps_ci)}) "
                f"{'推荐者' if zh else 'promoters'} {_pct(s.promoters_pct)} {'贬损者' if zh else 'detractors'} "
                f"{_pct(s.detractors_pct)} CSAT top-2 {_pct(s.csat_top2_pct)} CES {_num(s.ces_mean, 3)}")

    return [line("总体" if zh else "overall", r.overall), *(line(name, s) for name, s in r.segments)]


def _compare(r, zh: bool) -> list[str]:
    key = "rate" if r.kind == "rate" else "mean"
    lines = [f"{'之前' if zh else 'before'}: {key}={_num(r.before[key])}  {'之后' if zh else 'after'}: "
             f"{key}={_num(r.after[key])}  {r.test} p={_num(r.p_value, 3)}"]
    sentence = r.sentence(ZH if zh else "en")
    return lines + ([sentence] if sentence else [])


def _link(r, zh: bool) -> list[str]:
    head = f"{r.qc_column} → {r.sat_column}" + ("（滞后月数）" if zh else " (lag in months)")
    return [head, *(f"lag {c.lag}: rho={_num(c.rho, 3)} p={_num(c.p_value, 3)} n={c.n}" for c in r.lags)]


def summarize(result, notes: list, lang: str = "en") -> str:
    """The result's figures and its warnings, one per line."""
    zh = lang == ZH
    render = {"pareto": _pareto, "control": _control, "capability": _capability, "satisfaction": _satisfaction,
              "compare": _compare, "link": _link}[result.analysis]
    warning = "注意" if zh else "warning"
    return "\n".join([*render(result, zh), *(f"{warning}: {note.text(lang)}" for note in notes)])
