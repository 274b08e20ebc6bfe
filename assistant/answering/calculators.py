"""One solver per QC metric: which figure of the question is which input, then the analytics formula. Each returns
None unless the question gives every input it needs, and valid ones (no zero divisor, no count above its
total), so an incomplete question is answered as any other."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.analytics import formulas
from assistant.analytics.constants import FMEA_SCALE, PPM, SIGMA_SHIFT
from assistant.answering.computed import Computed
from assistant.answering.figures import assign, figures


def _roles(**patterns: str) -> dict[str, re.Pattern[str]]:
    return {role: re.compile(pattern, re.IGNORECASE) for role, pattern in patterns.items()}


_COUNTED = (r"return\w*|defect\w*|complain\w*|complaint|reject\w*|fail\w*|nonconform\w*|scrap\w*|came back|"
            r"退货|退回|退|不良|缺陷|投诉|客诉|不合格|报废|次品")
_TOTAL = (r"ship\w*|sold|sell|produc\w*|deliver\w*|made|inspect\w*|units?|orders?|customers?|total|in all|out of|"
          r"发货|出货|生产|产量|销售|售出|卖出|交付|检验|抽检|订单|总数|总共|共计|客户")
RATE_ROLES = _roles(count=_COUNTED, total=_TOTAL)
FPY_ROLES = _roles(failed=r"rework\w*|fail\w*|defect\w*|reject\w*|返工|返修|不合格|不良|失败",
                   passed=r"pass\w*|first[- ]time|right first|一次(?:通过|合格)|直通|合格|通过",
                   total=r"units?|start\w*|produc\w*|entered|inspect\w*|made|built|total|投入|生产|加工|检验|总共|共|产量")
DPMO_ROLES = _roles(opportunities=r"(?:defect )?opportunit\w*|每件有?|每个产品有?|每单位有?|(?:缺陷)?机会",
                    defects=r"defects?|缺陷|不良",
                    units=r"units?|products?|parts?|pieces?|items?|inspected|产品|零件|件|检验")
SIGMA_ROLES = _roles(dpmo=r"DPMO|ppm|百万机会缺陷数")
NPS_ROLES = _roles(detractors=r"detractors?|贬损者?|批评者", passives=r"passives?|neutrals?|中立者?|被动者",
                   promoters=r"promoters?|推荐者", total=r"respond\w*|responses?|surveyed|customers?|people|受访|答卷|"
                                                       r"回复|问卷|样本|调查|总共|共")
CSAT_ROLES = _roles(dissatisfied=r"dissatisfied|unsatisfied|unhappy|不满意",
                    satisfied=r"satisfied|happy|gave|rated|满意|好评",
                    total=r"respond\w*|responses?|surveyed|customers?|answers?|total|受访|答卷|回复|问卷|调查|评价|参与|"
                          r"总共|共")
CAPABILITY_ROLES = _roles(sd=r"standard deviation|std\.? ?dev\w*|stdev|\bstd\b|\bsd\b|σ|sigma|标准差",
                          usl=r"\bUSL\b|upper (?:spec\w* )?limit|upper spec\w*|规格上限|上规格限|上限|上公差",
                          lsl=r"\bLSL\b|lower (?:spec\w* )?limit|lower spec\w*|规格下限|下规格限|下限|下公差",
                          mean=r"mean|average|avg|μ|均值|平均值?")
RPN_ROLES = _roles(severity=r"severity|(?<![A-Za-z])(?-i:S)(?![A-Za-z])|严重度|严重性|严重程度",
                   occurrence=r"occurrence|(?<![A-Za-z])(?-i:O)(?![A-Za-z])|频度|发生度|发生频度|发生率",
                   detection=r"detect\w*|(?<![A-Za-z])(?-i:D)(?![A-Za-z])|探测度|检测度|难检度|可探测度")
CHANGE_ROLES = _roles(before=r"from|从|由", after=r"\bto\b|到|至|为|成")
_TOLERANCE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:±|\+/-|\+-)\s*(\d+(?:\.\d+)?)")
_SPEC_RANGE = re.compile(r"(?:规格|公差|spec\w*(?: limits?)?)(?:范围)?\s*(?:为|是|of|is|are|[:：])?\s*"
                         r"(\d+(?:\.\d+)?)\s*(?:[-–~～]|to|到|至|and)\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def _counts(text: str, roles: dict[str, re.Pattern[str]], part: str | None = None) -> dict[str, float]:
    """Role -> value for the question's plain counts (a percentage is not a count: any makes this empty); with
    `part`, two unlabelled figures are read as that part (the smaller) and the total."""
    found = figures(text)
    if any(f.percent for f in found):
        return {}
    got = {role: f.value for role, f in assign(found, roles).items()}
    if part and not got and len(found) == 2:
        got = {part: min(f.value for f in found), "total": max(f.value for f in found)}
    return got


def _share(metric: str, inputs: dict[str, float], part: float, whole: float, formula: str,
           expression: str) -> Computed | None:
    """part / whole in percent, when 0 <= part <= whole and whole > 0."""
    if not whole > 0 or not 0 <= part <= whole:
        return None
    return Computed(metric, formulas.share_pct(part, whole), "%", inputs, formula, expression)


def rate(metric: str, part: str, whole: str) -> Callable[[str], Computed | None]:
    """A defect, return or complaint rate: the counted items over the total."""

    def solve(text: str) -> Computed | None:
        got = _counts(text, RATE_ROLES, "count")
        if not {"count", "total"} <= got.keys():
            return None
        return _share(metric, {part: got["count"], whole: got["total"]}, got["count"], got["total"],
                      f"{part} ÷ {whole} × 100%", f"{{{part}}} ÷ {{{whole}}}")

    return solve


def first_pass_yield(text: str) -> Computed | None:
    """Units through the first time without rework over units started; from passes, failures or both."""
    return _good_share(text, "first_pass_yield", FPY_ROLES, ("passed", "failed", "units"),
                       "passed first time ÷ units × 100%")


def _dpmo_inputs(text: str) -> dict[str, float] | None:
    got = _counts(text, DPMO_ROLES)
    if {"defects", "units", "opportunities"} <= got.keys() and got["units"] > 0 and got["opportunities"] > 0:
        return got
    return None


def dpmo(text: str) -> Computed | None:
    got = _dpmo_inputs(text)
    if got is None:
        return None
    return Computed("dpmo", formulas.dpmo(got["defects"], got["units"], got["opportunities"]), "", got,
                    "defects ÷ (units × opportunities per unit) × 1,000,000",
                    "{defects} ÷ ({units} × {opportunities}) × 1,000,000")


def sigma_level(text: str) -> Computed | None:
    """From a DPMO the question states, or from defects, units and opportunities; with the 1.5 sigma shift."""
    shift = {"zh": f"（按惯例含 {SIGMA_SHIFT}σ 偏移）", "en": f" (with the conventional {SIGMA_SHIFT}σ shift)"}
    counted = _dpmo_inputs(text)
    if counted:
        value = formulas.dpmo(counted["defects"], counted["units"], counted["opportunities"])
        inputs, expression = counted, f"Φ⁻¹(1 − {{defects}} ÷ ({{units}} × {{opportunities}})) + {SIGMA_SHIFT}"
    else:
        inputs = _counts(text, SIGMA_ROLES)
        value, expression = inputs.get("dpmo"), f"Φ⁻¹(1 − {{dpmo}} ÷ 1,000,000) + {SIGMA_SHIFT}"
    if value is None or not 0 < value < PPM:
        return None
    return Computed("sigma_level", formulas.sigma_level(value), "σ", inputs,
                    f"Φ⁻¹(1 − DPMO ÷ 1,000,000) + {SIGMA_SHIFT}", expression, shift)


def net_promoter_score(text: str) -> Computed | None:
    """From promoter and detractor percentages, or from counts with the respondents (given, or all three groups)."""
    found = figures(text)
    got = {role: f for role, f in assign(found, NPS_ROLES).items()}
    if not {"promoters", "detractors"} <= got.keys():
        return None
    p, d = got["promoters"], got["detractors"]
    if p.percent and d.percent:
        if p.value + d.value > 100:
            return None
        return Computed("nps", p.value - d.value, "", {"promoters": p.value, "detractors": d.value},
                        "promoters % − detractors %", "{promoters}% − {detractors}%")
    return _nps_counts({role: f.value for role, f in got.items() if not f.percent})


def _nps_counts(got: dict[str, float]) -> Computed | None:
    if "total" in got:
        total, expression = got["total"], "({promoters} − {detractors}) ÷ {respondents} × 100"
    elif "passives" in got:
        total = got["promoters"] + got["passives"] + got["detractors"]
        expression = "({promoters} − {detractors}) ÷ ({promoters} + {passives} + {detractors}) × 100"
    else:
        return None
    if not {"promoters", "detractors"} <= got.keys() or got["promoters"] + got["detractors"] > total or total <= 0:
        return None
    inputs = {"promoters": got["promoters"], "passives": got.get("passives"), "detractors": got["detractors"],
              "respondents": total}
    return Computed("nps", formulas.nps(got["promoters"], got["detractors"], total), "",
                    {k: v for k, v in inputs.items() if v is not None},
                    "(promoters − detractors) ÷ respondents × 100", expression)


def csat(text: str) -> Computed | None:
    """Satisfied answers over all answers; from the satisfied, the dissatisfied, or both."""
    return _good_share(text, "csat", CSAT_ROLES, ("satisfied", "dissatisfied", "responses"),
                       "satisfied ÷ responses × 100%")


def _good_share(text: str, metric: str, roles, names: tuple[str, str, str], formula: str) -> Computed | None:
    """The share of good ones from any two of good, bad and all (the third follows); names: (good, bad, all) as
    the inputs are shown."""
    good_name, bad_name, all_name = names
    got = _counts(text, roles, good_name)
    good, bad, total = got.get(good_name), got.get(bad_name), got.get("total")
    g, b, t = (f"{{{name}}}" for name in names)
    if total is None and good is not None and bad is not None:
        total, expression = good + bad, f"{g} ÷ ({g} + {b})"
    elif total is not None and good is not None:
        expression = f"{g} ÷ {t}"
    elif total is not None and bad is not None:
        good, expression = total - bad, f"({t} − {b}) ÷ {t}"
    else:
        return None
    inputs = {all_name: total, **{k: got[k] for k in (good_name, bad_name) if k in got}}
    return _share(metric, inputs, good, total, formula, expression)


def _specification(text: str) -> tuple[float | None, float | None, tuple[tuple[int, int], ...]]:
    """(USL, LSL, where they are written) from '10 ± 0.2' or '规格 9.8–10.2'; Nones when neither is written."""
    if m := _TOLERANCE.search(text):
        nominal, tolerance = float(m[1]), float(m[2])
        return nominal + tolerance, nominal - tolerance, (m.span(),)
    if m := _SPEC_RANGE.search(text):
        low, high = sorted((float(m[1]), float(m[2])))
        return high, low, ((m.start(1), m.end(2)),)
    return None, None, ()


def capability(metric: str) -> Callable[[str], Computed | None]:
    """Cp (both limits) or Cpk (either or both) from the mean, the standard deviation and the specification."""

    def solve(text: str) -> Computed | None:
        usl, lsl, written = _specification(text)
        got = {role: f.value for role, f in assign(figures(text, written), CAPABILITY_ROLES).items() if not f.percent}
        usl, lsl, mean, sd = got.get("usl", usl), got.get("lsl", lsl), got.get("mean"), got.get("sd")
        both = usl is not None and lsl is not None
        if mean is None or not sd or sd < 0 or (both and usl <= lsl) or (usl is None and lsl is None):
            return None
        if metric == "cp" and not both:
            return None
        cp, cpk = formulas.capability_indices(mean, sd, usl, lsl)
        inputs = {k: v for k, v in (("mean", mean), ("sd", sd), ("usl", usl), ("lsl", lsl)) if v is not None}
        return Computed(metric, cp if metric == "cp" else cpk, "", inputs, *_capability_formula(metric, usl, lsl))

    return solve


def _capability_formula(metric: str, usl: float | None, lsl: float | None) -> tuple[str, str]:
    """(formula, expression) for the limits given."""
    six, three = f"{formulas.SIX_SIGMA_SPAN:g}", f"{formulas.ONE_SIDE_SPAN:g}"
    if metric == "cp":
        return f"(USL − LSL) ÷ ({six} × σ)", f"({{usl}} − {{lsl}}) ÷ ({six} × {{sd}})"
    if usl is not None and lsl is not None:
        return (f"min(USL − mean, mean − LSL) ÷ ({three} × σ)",
                f"min({{usl}} − {{mean}}, {{mean}} − {{lsl}}) ÷ ({three} × {{sd}})")
    if usl is not None:
        return f"(USL − mean) ÷ ({three} × σ)", f"({{usl}} − {{mean}}) ÷ ({three} × {{sd}})"
    return f"(mean − LSL) ÷ ({three} × σ)", f"({{mean}} − {{lsl}}) ÷ ({three} × {{sd}})"


def risk_priority(text: str) -> Computed | None:
    """FMEA RPN = S × O × D, each a whole rating on the 1-10 scale."""
    got = _counts(text, RPN_ROLES)
    low, high = FMEA_SCALE
    ratings = [got.get(role) for role in RPN_ROLES]
    if any(r is None or not low <= r <= high or r != int(r) for r in ratings):
        return None
    return Computed("rpn", formulas.rpn(*ratings), "", {role: got[role] for role in RPN_ROLES},
                    "severity × occurrence × detection", "{severity} × {occurrence} × {detection}")


def change(text: str) -> Computed | None:
    """Relative change from the 'from' figure to the 'to' figure; both counts or both percentages."""
    got = assign(figures(text), CHANGE_ROLES)
    if not {"before", "after"} <= got.keys():
        return None
    before, after = got["before"], got["after"]
    if before.value == 0 or before.percent != after.percent:
        return None
    value, unit = formulas.change_pct(before.value, after.value), "%" if before.percent else ""
    falls, size = value < 0, f"{abs(value):.1f}%"
    notes = {"zh": f"，即{'下降' if falls else '上升'} {size}", "en": f", {'a fall' if falls else 'a rise'} of {size}"}
    if before.percent:
        points = f"{abs(after.value - before.value):g}"
        notes = {"zh": f"{notes['zh']}（{points} 个百分点）", "en": f"{notes['en']} ({points} percentage points)"}
    return Computed("change", value, "%", {"before": before.value, "after": after.value}, "(after − before) ÷ before "
                    "× 100%", f"({{after}}{unit} − {{before}}{unit}) ÷ {{before}}{unit}", notes)
