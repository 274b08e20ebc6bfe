"""A QC metric computed from the figures a chat question gives, and the one sentence that shows it: the inputs,
the formula with the numbers in it, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEAD = {"zh": "按你给的数字：", "en": "From your figures: "}
END = {"zh": "。", "en": "."}
NO_EXPLANATION = {"zh": "知识库中没有找到对这一指标的说明。",
                  "en": "The knowledge base has no explanation of this metric."}
# The metric's name in each language, as the sentence writes it.
NAMES: dict[str, dict[str, str]] = {
    "return_rate": {"zh": "退货率", "en": "return rate"},
    "defect_rate": {"zh": "不良率", "en": "defect rate"},
    "complaint_rate": {"zh": "投诉率", "en": "complaint rate"},
    "first_pass_yield": {"zh": "一次合格率", "en": "first-pass yield"},
    "dpmo": {"zh": "DPMO", "en": "DPMO"},
    "sigma_level": {"zh": "西格玛水平", "en": "sigma level"},
    "nps": {"zh": "NPS", "en": "NPS"},
    "csat": {"zh": "CSAT", "en": "CSAT"},
    "cp": {"zh": "Cp", "en": "Cp"},
    "cpk": {"zh": "Cpk", "en": "Cpk"},
    "change": {"zh": "变化率", "en": "change"},
    "rpn": {"zh": "RPN", "en": "RPN"},
}
# Decimals shown per unit: 3.0%, Cpk 1.33, 4.25σ, RPN 192.
DECIMALS = {"%": 1, "σ": 2, "": 2}
WHOLE_METRICS = ("dpmo", "rpn")
ONE_DECIMAL_METRICS = ("nps",)  # NPS is in points: 45.0
NUMBER_DECIMALS = 4  # an input is written as given, up to this many decimals


@dataclass(frozen=True)
class Computed:
    """One metric from the question's own figures; `expression` is `formula` with {input} slots for the numbers."""

    metric: str
    value: float
    unit: str
    inputs: dict[str, float]
    formula: str
    expression: str
    notes: dict[str, str] = field(default_factory=dict)  # language -> what to add after the result

    def text(self, language: str) -> str:
        """One plain sentence in the question's language: 'From your figures: return rate = 120 ÷ 8,000 = 1.5%.'"""
        filled = self.expression.format(**{k: number(v, language) for k, v in self.inputs.items()})
        result = self.shown_value(language)
        return f"{LEAD[language]}{NAMES[self.metric][language]} = {filled} = {result}{self.notes.get(language, '')}" \
               f"{END[language]}"

    def shown_value(self, language: str) -> str:
        if self.metric in WHOLE_METRICS:
            return number(round(self.value, 1 if abs(self.value) < 10 else 0), language)
        decimals = 1 if self.metric in ONE_DECIMAL_METRICS else DECIMALS.get(self.unit, 2)
        if self.unit == "%" and 0 < abs(self.value) < 1:
            decimals = 2  # 0.25%, not 0.3%
        return f"{self.value:.{decimals}f}{self.unit}"

    def to_dict(self, language: str) -> dict[str, Any]:
        return {"metric": self.metric, "name": NAMES[self.metric][language], "value": round(self.value, 6),
                "unit": self.unit, "inputs": self.inputs, "formula": f"{NAMES[self.metric]['en']} = {self.formula}",
                "text": self.text(language)}


def number(value: float, language: str) -> str:
    """An input as the user wrote it: '8,000' in English, '12000' in Chinese, decimals kept, no '.0'."""
    rounded = round(value, NUMBER_DECIMALS)
    if rounded == int(rounded):
        return f"{int(rounded):,}" if language == "en" else str(int(rounded))
    return f"{rounded:,.{NUMBER_DECIMALS}f}".rstrip("0") if language == "en" else \
        f"{rounded:.{NUMBER_DECIMALS}f}".rstrip("0")
