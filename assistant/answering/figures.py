"""The figures a chat question gives, and what each one counts: numbers with thousands separators, decimals, %
and 万, each labelled by the nearest role word on either side within its clause ('发货 12000 件', '120 were
returned'). Dates, years, standard numbers and rating scales ('4 或 5 分', '0-10') are not figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

TEN_THOUSAND = 10_000  # 万
_NUMBER = re.compile(r"(百分之\s*)?(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?(?![\d.]*\d)\s*(万)?"
                     r"\s*(%|％|percent\b|per cent\b)?", re.IGNORECASE)
# Not figures to compute with: 2023 年, 3 月, 第 3 批, ISO 9001, 8D, Q3, 6σ, 'in 2023'.
_NOT_A_FIGURE_AFTER = re.compile(r"\s*(?:年|月|日|号|季度|周|天|小时|σ|-?sigma\b|"
                                 r"(?:days?|weeks?|months?|years?|hours?)\b)|"
                                 r"(?-i:[A-Z])(?![A-Za-z])", re.IGNORECASE)
_NOT_A_FIGURE_BEFORE = re.compile(r"(?:第|(?:ISO|IATF|GB/T|GB|IEC|EN|AS)\s*)$", re.IGNORECASE)
_YEAR_BEFORE = re.compile(r"\b(?:in|since|year|by|until|fy)\s+$", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")
# Rating scales and score bands: their numbers describe the survey, not the counts ('4 或 5 分', '9-10', '1-5 scale').
_SCALE = re.compile(r"\d{1,2}\s*(?:分|stars?|points?)?\s*(?:or|或|/)\s*\d{1,2}\s*(?:分|stars?|points?)?|"
                    r"\d{1,2}\s*(?:、|和|and|,)\s*\d{1,2}\s*(?:分|stars?|points?)|"
                    r"\d{1,2}\s*(?:[-–~]|to|到|至)\s*\d{1,2}\s*(?:-?point\s*)?(?:scale|分制|量表|分|stars?|points?)|"
                    r"[(（]\s*\d{1,2}\s*[-–~]\s*\d{1,2}\s*[)）]|top[- ]?\d[- ]?box|0\s*[-–~]\s*10\b|1\s*[-–~]\s*5\b",
                    re.IGNORECASE)
# Where a figure's clause ends: its role word is on its side of these.
_BOUNDARY = re.compile(r"[，,。；;？?！!、\n—–()（）]|\.(?:\s|$)|\b(?:and|with|but|while|whereas)\b|"
                       r"其中|以及|并且|但是|而且|和|及", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """A number in the question, where it stands, and the words of its clause on each side."""

    value: float
    percent: bool
    start: int
    end: int
    left: str = ""
    right: str = ""


def figures(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[Figure]:
    """Every figure of the text, in order, outside the skipped spans and rating scales."""
    blanked = _blank(text, [m.span() for m in _SCALE.finditer(text)] + list(skip))
    found = [m for m in _NUMBER.finditer(blanked) if _is_figure(blanked, m)]
    result = []
    for i, m in enumerate(found):
        before = blanked[found[i - 1].end() if i else 0:m.start()]
        after = blanked[m.end():found[i + 1].start() if i + 1 < len(found) else len(blanked)]
        left, right = _BOUNDARY.split(before)[-1], _BOUNDARY.split(after)[0]
        result.append(Figure(_value(m), bool(m.group(1) or m.group(5)), m.start(), m.end(), left, right))
    return result


def label(figure: Figure, roles: dict[str, re.Pattern[str]]) -> str | None:
    """The role whose word stands nearest the figure in its clause; ties go to the left side, then to the role
    listed first (so 'defect opportunities' is an opportunity, '不满意' is not '满意')."""
    best: tuple[int, int, int] | None = None
    chosen = None
    left, right_text = figure.left.rstrip(), figure.right.lstrip()  # '从 50' and '从50' are the same distance
    for order, (role, pattern) in enumerate(roles.items()):
        lefts = [len(left) - m.end() for m in pattern.finditer(left)]
        right = pattern.search(right_text)
        for distance, side in ((min(lefts, default=None), 0), (right.start() if right else None, 1)):
            if distance is not None and (best is None or (distance, side, order) < best):
                best, chosen = (distance, side, order), role
    return chosen


def assign(found: list[Figure], roles: dict[str, re.Pattern[str]]) -> dict[str, Figure]:
    """Role -> figure for the roles the question labels; a role labelled twice is ambiguous and left out, and
    one unlabelled figure fills one unlabelled role."""
    labelled: dict[str, list[Figure]] = {}
    for figure in found:
        labelled.setdefault(label(figure, roles) or "", []).append(figure)
    assigned = {role: figs[0] for role, figs in labelled.items() if role and len(figs) == 1}
    unlabelled, missing = labelled.get("", []), [role for role in roles if role not in labelled]
    if len(unlabelled) == 1 and len(missing) == 1:
        assigned[missing[0]] = unlabelled[0]
    return assigned


def _is_figure(text: str, match: re.Match[str]) -> bool:
    if _NOT_A_FIGURE_AFTER.match(text, match.end()) and not match.group(5):
        return False
    before = text[:match.start()]
    if _YEAR.fullmatch(match.group(0).strip()) and _YEAR_BEFORE.search(before):
        return False
    return not _NOT_A_FIGURE_BEFORE.search(before)


def _value(match: re.Match[str]) -> float:
    value = float(match.group(2).replace(",", "") + (match.group(3) or ""))
    return value * TEN_THOUSAND if match.group(4) else value


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans overwritten by spaces, so positions stay where they were."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
