"""Which sentences an answer is made of, by what the question asks: the reader's best sentence first (after the
sentence it points back to, if it opens on 'Those' or '其中'; before the one working out its figures, if it only
restates the question's); for a procedure or a recommendation the ordered items of its list (a recommendation's
best sentence outside a list: its document's strategy section); for a calculation the formula and a worked
example; for a comparison the other side too; then supporting sentences the reader also rates as answers; and a
chosen sentence that announces a list ('通常分为四类', 'four key metrics:') is followed by that list."""

from __future__ import annotations

import re
from itertools import takewhile

from assistant.answering.features import Candidate, figures_in, is_meta
from assistant.answering.question import STRATEGY_HEADING
from assistant.answering.reader import Reading
from assistant.models import Hit
from assistant.text import tokenize

MAX_STEPS = 8  # a procedure answer lists at most this many steps
SETUP_FIGURES = 2  # a lead restating this many of the question's figures (and no others) sets up a worked example
DUPLICATE_OVERLAP = 0.6  # a sentence sharing this share of its tokens with a chosen one repeats it
_DIGIT = re.compile(r"\d")
# A sentence that announces the list after it: it ends on a colon, points ahead, or counts what follows.
_ANNOUNCES_LIST = re.compile(
    r"[：:]\s*$|以下|如下|下列|分为|分成|包括|包含|[一二三四五六七八九十两几\d]\s*(?:项|类|个|种|步|条|大|点|方面|阶段|原则|要素)|"
    r"\bfollowing\b|as follows|\binclud|\bconsists?\b|\bcompris|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE)
# A sentence opening on a word that points back to the one before it: its details.
_POINTS_BACK = re.compile(r"(?:These|Those|They|Their|Each|Both|For example|For instance|The (?:\w+ ){0,3}(?:were|are|"
                          r"include[sd]?|consist(?:s|ed)?)\b)\b|(?:其中|它们|这些|这类|分别|具体|例如|比如|即)")
LIST_LOOKAHEAD = 2  # the announced list starts within this many sentences of its announcement
# Question types answered by a whole list when the best sentence is one of its items: steps, or strategies.
LIST_ANSWERED = ("procedure", "recommendation")


def ranked(reading: Reading) -> list[int]:
    """Candidate indices, best first, without sentences about the document itself."""
    order = sorted(range(len(reading.candidates)), key=lambda i: (-float(reading.scores[i]), i))
    return [i for i in order if not is_meta(reading.candidates[i].sentence)]


def choose(reading: Reading, limit: int, hits: list[Hit]) -> list[Candidate]:
    """The answer's sentences in the order they are shown."""
    order = ranked(reading)
    cands, lead = reading.candidates, reading.candidates[order[0]]
    qtype = reading.question.qtype
    if (item := listed(reading, hits)) is not None:
        return _list_block(cands, item, hits)
    chosen = _antecedent(cands, order[0]) + [lead] + _continuation(cands, order[0], reading.question.text)
    if qtype == "calculation":
        chosen += _first(cands, order, lambda c: c.hit_rank == lead.hit_rank and bool(_DIGIT.search(c.sentence)),
                         chosen)
    if qtype == "comparison":
        chosen += _first(cands, order, lambda c: _adds_terms(c, chosen, reading), chosen)
    support = reading.support_threshold * float(reading.scores[order[0]])
    for i in order:
        if len(chosen) >= limit or reading.scores[i] < support:
            break
        if _new(cands[i], chosen):
            chosen.append(cands[i])
    return _with_announced_list(chosen, cands, hits)


def listed(reading: Reading, hits: list[Hit]) -> int | None:
    """The candidate whose list the answer is, if it is one: for a procedure or a recommendation whose best
    sentence is a list item, that item; for a recommendation, else, the first item of a strategy section of the
    best sentence's document."""
    order = ranked(reading)
    if not order or reading.question.qtype not in LIST_ANSWERED:
        return None
    lead = reading.candidates[order[0]]
    if lead.list_item:
        return order[0]
    return _strategy_list(reading.candidates, hits, lead) if reading.question.qtype == "recommendation" else None


def _strategy_list(cands: list[Candidate], hits: list[Hit], lead: Candidate) -> int | None:
    """The first list item of a retrieved strategy section ('改进策略', 'Recommendations') of the lead's document:
    the strategies a recommendation asks for, which rarely share the question's words."""
    source = hits[lead.hit_rank].chunk.source
    return next((i for i, c in enumerate(cands) if c.list_item and hits[c.hit_rank].chunk.source == source
                 and STRATEGY_HEADING.search(hits[c.hit_rank].chunk.section or "")), None)


def _continuation(cands: list[Candidate], index: int, question: str) -> list[Candidate]:
    """The sentence after the lead in its document when it points back to it ('…announced an 8-point battery
    safety check.' 'The eight steps were …'), or when the lead only restates the question's own figures and the
    next one works them out ('Consider a shaft with limits 9.8 to 10.2 mm…' 'Cp is 0.4 ÷ 0.24 ≈ 1.67…'): the
    lead's details, which read nothing like the question."""
    pair = _neighbour_in_document(cands, index, 1)
    if pair is None:
        return []
    lead, following = pair
    return [following] if _points_back(lead, following) or _works_out(lead, following, question) else []


def _neighbour_in_document(cands: list[Candidate], index: int, step: int) -> tuple[Candidate, Candidate] | None:
    """This sentence and the one after it (step 1) or before it (-1) in its document, in reading order: the
    neighbour in its passage, or where the passage ends (or starts) on it, the neighbour of the same sentence in
    a retrieved passage overlapping it (chunks overlap by a sentence or two, so a worked example's setup can end
    one chunk and its result open the next)."""
    copies = [index] + [i for i, c in enumerate(cands) if c.sentence == cands[index].sentence and i != index]
    for at in copies:
        if 0 <= at + step < len(cands) and cands[at + step].hit_rank == cands[at].hit_rank:
            pair = (cands[at], cands[at + step])
            return pair if step > 0 else pair[::-1]
    return None


def _works_out(setup: Candidate, following: Candidate, question: str) -> bool:
    """The earlier sentence states only figures the question gives (at least SETUP_FIGURES of them) and the
    later one states figures of its own: a worked example's givens, then its result."""
    given, stated = figures_in(question), figures_in(setup.sentence)
    return (len(stated & given) >= SETUP_FIGURES and stated <= given
            and bool(figures_in(following.sentence) - given) and not is_meta(following.sentence))


def _antecedent(cands: list[Candidate], index: int) -> list[Candidate]:
    """The sentence before the lead in its document when the lead points back to it ('…late delivery (150) and
    damaged packaging (110) together account for 65%.' 'Those two categories become the first projects.'): what
    the lead is about."""
    pair = _neighbour_in_document(cands, index, -1)
    return [pair[0]] if pair and _points_back(*pair) else []


def _points_back(earlier: Candidate, later: Candidate) -> bool:
    """The later sentence of one passage opens by pointing back to the earlier one, and the one joining the lead
    (either) is no sentence about the document."""
    return (earlier.hit_rank == later.hit_rank and bool(_POINTS_BACK.match(later.sentence))
            and not is_meta(earlier.sentence) and not is_meta(later.sentence))


def _with_announced_list(chosen: list[Candidate], cands: list[Candidate], hits: list[Hit]) -> list[Candidate]:
    """The first chosen sentence that announces a list, followed by the list itself: 'DORA 提炼出了四项指标：'
    answers nothing without the four metrics after it."""
    for place, cand in enumerate(chosen):
        start = _announced_list(cands, next(i for i, c in enumerate(cands) if c is cand))
        if start is not None:
            items = [c for c in _list_block(cands, start, hits) if all(c is not x for x in chosen)]
            return chosen[:place + 1] + items + chosen[place + 1:]
    return chosen


def _announced_list(cands: list[Candidate], index: int) -> int | None:
    """Where the list this sentence announces starts, if a list item follows it closely in its passage."""
    cand = cands[index]
    if cand.list_item or not _ANNOUNCES_LIST.search(cand.sentence):
        return None
    following = cands[index + 1:index + 1 + LIST_LOOKAHEAD]
    return next((index + 1 + step for step, c in enumerate(following)
                 if c.hit_rank == cand.hit_rank and c.list_item), None)


def _list_block(cands: list[Candidate], index: int, hits: list[Hit]) -> list[Candidate]:
    """The list the lead sentence belongs to, in document order: the consecutive list items of its passage, and
    where the list runs over a passage boundary, those of the neighbouring passages of its section, passage by
    passage (a long list is cut into overlapping chunks, so a repeated item is shown once). At most MAX_STEPS
    items, from the list's start unless the lead lies further down."""
    lead = cands[index]
    start = end = index
    while start > 0 and cands[start - 1].hit_rank == lead.hit_rank and cands[start - 1].list_item:
        start -= 1
    while end + 1 < len(cands) and cands[end + 1].hit_rank == lead.hit_rank and cands[end + 1].list_item:
        end += 1
    block, passage = cands[start:end + 1], [c for c in cands if c.hit_rank == lead.hit_rank]
    if block[0] is passage[0]:
        block = _items_beyond(cands, hits, lead.hit_rank, -1) + block
    if block[-1] is passage[-1]:
        block = block + _items_beyond(cands, hits, lead.hit_rank, 1)
    first_of_each: dict[str, Candidate] = {}
    for cand in block:
        first_of_each.setdefault(cand.sentence, cand)
    items = list(first_of_each.values())
    first = max(0, items.index(first_of_each[lead.sentence]) - MAX_STEPS + 1)
    return items[first:first + MAX_STEPS]


def _items_beyond(cands: list[Candidate], hits: list[Hit], rank: int, step: int) -> list[Candidate]:
    """The list items of the passages before (step -1) or after (1) this one in its section, in document order,
    passage by passage for as long as the list fills a whole passage."""
    items: list[Candidate] = []
    while (rank := _neighbour(hits, rank, step)) is not None:
        edge = _items_at_edge(cands, rank, last=step < 0)
        items = edge + items if step < 0 else items + edge
        if len(edge) < sum(c.hit_rank == rank for c in cands):
            break
    return items


def _neighbour(hits: list[Hit], rank: int, step: int) -> int | None:
    """The retrieved passage just before (-1) or after (1) this one in the same section, if any."""
    chunk = hits[rank].chunk
    return next((r for r, hit in enumerate(hits) if hit.chunk.source == chunk.source
                 and hit.chunk.section == chunk.section and hit.chunk.position == chunk.position + step), None)


def _items_at_edge(cands: list[Candidate], rank: int, last: bool) -> list[Candidate]:
    """The list items a passage ends with (last) or starts with."""
    passage = [c for c in cands if c.hit_rank == rank]
    items = list(takewhile(lambda c: c.list_item, reversed(passage) if last else passage))
    return items[::-1] if last else items


def _first(cands: list[Candidate], order: list[int], wanted, chosen: list[Candidate]) -> list[Candidate]:
    return next(([cands[i]] for i in order if wanted(cands[i]) and _new(cands[i], chosen)), [])


def _adds_terms(cand: Candidate, chosen: list[Candidate], reading: Reading) -> bool:
    """Covers question terms none of the chosen sentences has: the other side of a comparison."""
    have = set().union(*(tokenize(c.sentence) for c in chosen))
    asked = set(tokenize(reading.question.text, search=False))
    return bool((asked - have) & set(tokenize(cand.sentence)))


def _new(cand: Candidate, chosen: list[Candidate]) -> bool:
    """Not a repeat of a chosen sentence: different words, or the same words with figures of its own ('属一级召回，
    应在24小时内启动' beside '属二级召回，应在48小时内启动')."""
    tokens, figures = set(tokenize(cand.sentence)), figures_in(cand.sentence)
    return all(cand is not c and (_overlap(tokens, set(tokenize(c.sentence))) < DUPLICATE_OVERLAP
                                  or bool(figures - figures_in(c.sentence))) for c in chosen)


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
