"""Chat calculators: a question that gives the figures of a QC metric and asks for its value gets the value
computed first ('上月发货 12000 件，退货 360 件，退货率是多少？'). Anything else, including a question that only
mentions numbers or lacks one of the inputs, gets None and is answered as any other."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answering import calculators as calc
from assistant.answering.computed import NO_EXPLANATION, Computed
from assistant.models import Answer

__all__ = ["Computed", "compute", "lead", "lead_with"]
BREAK = "\n\n"  # the computed sentence is its own paragraph


@dataclass(frozen=True)
class Calculator:
    """A metric the question names, and how its inputs are read from the question."""

    asked: re.Pattern[str]
    solve: Callable[[str], Computed | None]


def _asked(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# In priority order: a question naming two metrics ('DPMO 和西格玛水平') gets the first that it gives figures for.
CALCULATORS = (
    Calculator(_asked(r"sigma level|sigma value|(?:西格玛|σ|sigma)\s*(?:水平|水准|等级)|几个?\s*(?:σ|西格玛|sigma)"),
               calc.sigma_level),
    Calculator(_asked(r"\bDPMO\b|百万机会缺陷数"), calc.dpmo),
    Calculator(_asked(r"\bCpk\b"), calc.capability("cpk")),
    Calculator(_asked(r"\bCp\b"), calc.capability("cp")),
    Calculator(_asked(r"\bRPN\b|risk priority number|风险优先数|风险顺序数"), calc.risk_priority),
    Calculator(_asked(r"\bNPS\b|net promoter|净推荐值|净推荐分"), calc.net_promoter_score),
    Calculator(_asked(r"\bCSAT\b|satisfaction (?:score|rate)|满意率|满意度"), calc.csat),
    Calculator(_asked(r"first[- ](?:pass|time) yield|\bFPY\b|\bFTY\b|一次(?:交检)?合格率|一次通过率|直通率"),
               calc.first_pass_yield),
    Calculator(_asked(r"return(?:s)? rate|退货率"), calc.rate("return_rate", "returned", "shipped")),
    Calculator(_asked(r"defect(?:ive)? rate|reject(?:ion)? rate|nonconform\w* rate|不良率|缺陷率|不合格率|次品率"),
               calc.rate("defect_rate", "defective", "inspected")),
    Calculator(_asked(r"complaints? rate|投诉率|客诉率"), calc.rate("complaint_rate", "complaints", "orders")),
    Calculator(_asked(r"百分之(?:多少|几)|多少\s*[%％]|(?:百分比|幅度|降幅|增幅|变化率|增长率|下降率|减少率)(?:是|为|有)?多少|"
                      r"by what percent|what percent|how many percent|percent(?:age)? (?:change|drop|decrease|"
                      r"increase|reduction|fall|rise|improvement)"), calc.change),
)
# The question asks for a value, not about the metric ('what is', '多少', 'calculate'; or it ends on the metric's
# name and a question mark, 'RPN?').
_ASKS_VALUE = _asked(r"多少|几|算|求|等于|what(?:'s|\s+(?:is|was|are|were|would|will))|calculat|comput|work out|"
                     r"figure out|how (?:much|many|high|low|good)|give me|tell me|\bwhat\b|\bwhich\b|=\s*[?？]")
_ENDS_ON_NAME = r"\s*(?:是|=|呢)?\s*[?？]\s*$"


def compute(question: str, language: str) -> Computed | None:
    """The value the question asks for, from the figures it gives; None unless it names a metric, asks for its
    value and gives every input (language is the sentence's, chosen by the caller)."""
    for calculator in CALCULATORS:
        named = calculator.asked.search(question)
        if not named:
            continue
        asks = _ASKS_VALUE.search(question) or re.match(_ENDS_ON_NAME, question[named.end():])
        computed = calculator.solve(question) if asks else None
        if computed is not None:
            return computed
    return None


def lead(computed: Computed | None, language: str) -> str:
    """What is streamed before the composition: the computed sentence, or nothing."""
    return computed.text(language) + BREAK if computed else ""


def lead_with(answer: Answer, computed: Computed | None) -> Answer:
    """The answer with the computed sentence first. The value asked for is given, so the answer stands as answered;
    when the knowledge base explains nothing, a note says so in place of the refusal."""
    if computed is None:
        return answer
    explained = answer.answer_status != "refused"
    rest = answer.answer if explained else NO_EXPLANATION[answer.language]
    answer.answer = lead(computed, answer.language) + rest
    answer.computed = {**computed.to_dict(answer.language), "explained": explained}
    answer.answer_status, answer.refused = "answered", False
    return answer
