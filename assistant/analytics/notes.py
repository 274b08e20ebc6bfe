"""Warnings about a result, in English or Chinese: each analysis records a code and its values, the reader's
language picks the sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.models import LANGS  # (en, zh): the order of every bilingual pair here

P_FLOOR = 0.001  # smaller p-values are written "p < 0.001"

# code -> (English, Chinese); the values are filled in with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "few_subgroups": ("only {n} subgroups: limits from fewer than {min} are unreliable, collect more before acting",
                      "仅有 {n} 个子组：少于 {min} 个子组算出的控制限不可靠，请先收集更多数据"),
    "few_points": ("only {n} points: limits from fewer than {min} are unreliable, collect more before acting",
                   "仅有 {n} 个点：少于 {min} 个点算出的控制限不可靠，请先收集更多数据"),
    "not_normal": ("the data do not look normal (Anderson-Darling {p}): the indices and ppm assume a normal "
                   "distribution, so treat them with care",
                   "数据不服从正态分布（Anderson-Darling 检验 {p}）：指数与 ppm 以正态分布为前提，请谨慎解读"),
    "blank_categories": ("{n} row(s) with no category were left out", "{n} 行没有类别，已略去"),
    "blank_values": ("{n} row(s) with a blank '{column}' were left out", "{n} 行的“{column}”为空，已略去"),
    "no_change": ("the data do not show a change in {metric} ({p}): no claim of improvement can be made",
                  "数据未显示{metric}有变化（{p}）：不能据此宣称改进"),
    "tests_disagree": ("Welch's t-test ({p_t}) and the Mann-Whitney test ({p_u}) disagree: the scores are "
                       "probably skewed, trust the Mann-Whitney test more",
                       "Welch t 检验（{p_t}）与 Mann-Whitney 检验（{p_u}）结论不一致：分数可能偏态，"
                       "以 Mann-Whitney 检验为准"),
    "zero_events": ("no events in one period: the relative change has no confidence interval",
                    "某一时期没有事件：相对变化无法给出置信区间"),
    "few_pairs": ("lag {lag}: only {n} month pairs, fewer than {min}: the correlation is little more than noise",
                  "滞后 {lag} 个月：仅有 {n} 对月份数据（少于 {min}）：相关系数几乎没有意义"),
    "correlation_caution": ("correlation is not causation: a QC metric that moves with satisfaction may share a "
                            "cause with it; test a change before crediting it",
                            "相关不等于因果：与满意度同步变化的质量指标可能只是与其有共同原因；归功于某项改进前请先验证"),
    "no_cjk_font": ("no Chinese font was found, so the chart is labelled in English",
                    "未找到中文字体，图表使用英文标注"),
    "no_cjk_glyphs": ("no Chinese font was found, so Chinese category names show as boxes in the chart",
                      "未找到中文字体，图中的中文类别名称无法显示"),
}


@dataclass(frozen=True)
class Note:
    """One warning: a code from MESSAGES and the values its sentence needs."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return MESSAGES[self.code][LANGS.index(lang)].format(**self.values)


def p_text(p: float) -> str:
    """A p-value as a report writes it: 'p < 0.001' or 'p = 0.034'."""
    return "p < 0.001" if p < P_FLOOR else f"p = {p:.3f}"
