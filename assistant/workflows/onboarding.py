"""Onboarding modules for trainers: objectives, key concepts, procedure, worked case, bilingual glossary and a
quiz with an answer key, every fact cited to the passage it comes from."""

from __future__ import annotations

import re
import time

from assistant.answering.grounding import cited_numbers, with_marker
from assistant.answering.injection import quotable_sentences
from assistant.errors import BadInputError
from assistant.glossary import load_glossary
from assistant.models import Chunk
from assistant.text import strip_list_marker, tokenize
from assistant.workflows.document import WorkDocument, language_of
from assistant.workflows.grounded import SectionWriter, finalize
from assistant.workflows.quiz import QuizQuestion, distractor_pool, make_quiz

LENGTHS = {"short": {"concepts": 3, "quiz": 5, "glossary": 8}, "standard": {"concepts": 6, "quiz": 8, "glossary": 14}}
_STEP_SECTION = re.compile(r"步骤|流程|阶段|程序|循环|steps?\b|phases?\b|procedure|roadmap|cycle|how to", re.I)
_STEP_MARK = re.compile(r"^\s*(\d{1,2}[.)、]\s*\S|D\d\b|第[一二三四五六七八九十]+步|(Step|Phase) \d)")
_TEXT = {
    "zh": {
        "title": "培训模块：{topic}", "audience": "面向：{audience}", "objectives": "学习目标", "concepts": "核心概念",
        "procedure": "操作步骤", "case": "案例分析", "glossary": "中英术语表", "quiz": "小测验", "key": "答案与出处",
        "objective_items": ["说明{topic}是什么、解决什么问题", "说出{topic}的关键要点和常用指标",
                            "结合真实或示例案例解释{topic}对客户满意度的影响", "用中英文术语准确描述{topic}"],
        "objective_steps": "按步骤应用{topic}", "term": ["中文", "English"], "key_header": ["题号", "答案", "出处"],
        "uncovered": "知识库中没有关于“{topic}”的资料，无法生成培训模块。",
    },
    "en": {
        "title": "Training module: {topic}", "audience": "Audience: {audience}", "objectives": "Learning objectives",
        "concepts": "Key concepts", "procedure": "Procedure", "case": "Worked case", "glossary": "Bilingual glossary",
        "quiz": "Quiz", "key": "Answer key",
        "objective_items": ["Explain what {topic} is and which problem it solves",
                            "Name the key points and measures of {topic}",
                            "Use a real or illustrative case to explain how {topic} affects customer satisfaction",
                            "Use the Chinese and English terms of {topic} correctly"],
        "objective_steps": "Apply {topic} step by step", "term": ["中文", "English"],
        "key_header": ["#", "Answer", "Source"],
        "uncovered": "The knowledge base has nothing on '{topic}'; no module can be built.",
    },
}


def build_module(assistant, topic: str, audience: str | None = None, length: str = "standard",
                 lang: str | None = None, kb: str = "default", backend: str | None = None) -> WorkDocument:
    """A training module on a topic, in Chinese or English, exportable like every work product."""
    started = time.perf_counter()
    topic, sizes = (topic or "").strip(), LENGTHS.get(length)
    if not topic:
        raise BadInputError("a --topic is required, e.g. --topic 8D or --topic 'control charts'")
    if sizes is None:
        raise BadInputError(f"unknown length '{length}': use short or standard")
    lang = language_of(lang, topic)
    text, writer = _TEXT[lang], SectionWriter(assistant, kb, backend)
    concepts = _concepts(writer, topic, lang, sizes["concepts"])
    if not concepts:
        raise BadInputError(text["uncovered"].format(topic=topic))
    doc = WorkDocument("onboarding", text["title"].format(topic=topic), lang)
    steps = _procedure(writer, topic, lang)
    case = _worked_case(assistant, writer, topic, kb)
    objectives = [o.format(topic=topic) for o in text["objective_items"]]
    if steps:
        objectives.insert(2, text["objective_steps"].format(topic=topic))
    if audience:
        doc.section(text["audience"].format(audience=audience.strip()), level=3)
    doc.section(text["objectives"]).add("bullets", objectives)
    doc.section(text["concepts"]).add("bullets", concepts, grounded=True)
    if steps:
        doc.section(text["procedure"]).add("numbered", steps, grounded=True)
    if case:
        doc.section(text["case"]).add("paragraph", case, grounded=True)
    quiz = _quiz(assistant, writer, topic, concepts + steps + case, lang, sizes["quiz"])
    glossary = _glossary_rows(" ".join([topic, *concepts, *steps, *case, *(q.source_sentence for q in quiz)]),
                              sizes["glossary"])
    doc.section(text["glossary"]).add_table([text["term"], *glossary])
    _quiz_sections(doc, quiz, text)
    finalize(doc, writer.registry, assistant.settings.grounding)
    doc.data = {"topic": topic, "audience": audience or "", "length": length,
                "quiz": [q.to_dict() for q in quiz], "glossary": glossary}
    doc.seconds = time.perf_counter() - started
    return doc


def _concepts(writer: SectionWriter, topic: str, lang: str, limit: int) -> list[str]:
    questions = ([f"什么是{topic}？", f"{topic}的核心要点和作用是什么？"] if lang == "zh"
                 else [f"What is {topic}?", f"What are the key points of {topic} and why do they matter?"])
    sentences: list[str] = []
    for question in questions:
        # Ask only for what is still missing: a sentence fetched and then cut would leave a gap in the numbering.
        if remaining := limit - len(sentences):
            sentences += [s for s in writer.sentences(question, limit=remaining) if s not in sentences]
    return sentences


def _procedure(writer: SectionWriter, topic: str, lang: str) -> list[str]:
    """The marked steps (1., D3, 第二步 ...) of the section about the topic that lists the most, in order;
    sections in the module's language and with a steps-like heading first."""
    best: tuple = (False, False, 0)
    best_steps: list[tuple[str, str]] = []
    for chunks in writer.sections_about(topic):
        steps = _marked_steps(chunks)
        rank = (chunks[0].lang == lang, bool(_STEP_SECTION.search(chunks[0].section)), len(steps))
        if len(steps) >= 3 and rank > best:
            best, best_steps = rank, steps
    return [writer.cite_row(body, chunk_id) for body, chunk_id in best_steps]


def _marked_steps(section: list[Chunk]) -> list[tuple[str, str]]:
    seen, steps = set(), []
    for chunk in section:
        for sentence in quotable_sentences(chunk.text):
            body = strip_list_marker(sentence).strip()
            marked = _STEP_MARK.match(sentence) or _STEP_MARK.match(body)  # "1. …", or "- D3 …" as listed
            if marked and len(body) > 6 and body not in seen:
                seen.add(body)
                steps.append((body, chunk.chunk_id))
    return steps


def _worked_case(assistant, writer: SectionWriter, topic: str, kb: str) -> list[str]:
    """Sentences of the best case study that mentions the topic: its setting and its figures."""
    terms = load_glossary().expand(topic) or [topic]
    for hit in assistant.search(topic, kb=kb, doc_type="case_study", k=5).hits:
        chunk = hit.chunk
        if not any(t.lower() in f"{chunk.title} {chunk.text}".lower() for t in terms):
            continue
        sentences = [s for s in quotable_sentences(chunk.text) if len(tokenize(s)) >= 3]
        chosen = sentences[:1] + [s for s in sentences[1:] if re.search(r"\d", s)][:3]
        return [writer.cite_row(s, chunk.chunk_id) for s in chosen]
    return []


def _quiz(assistant, writer: SectionWriter, topic: str, module: list[str], lang: str,
          count: int) -> list[QuizQuestion]:
    """Questions on the module's own sentences first, then on other passages about the topic; distractors
    from the terms and figures of the passages around the topic."""
    hits = assistant.search(topic, kb=writer.kb, k=30).hits
    registry = writer.registry
    candidates = [(s, registry.chunk_id_of(cited_numbers(s)[0])) for s in module if cited_numbers(s)]
    candidates += [(s, h.chunk.chunk_id) for h in hits[:10] for s in quotable_sentences(h.chunk.text)
                   if len(tokenize(s)) >= 4]
    quiz = make_quiz(candidates, distractor_pool([h.chunk.text for h in hits], lang), lang, count)
    for q in quiz:
        q.citation = registry.cite(writer.chunk(q.chunk_id))
    return quiz


def _glossary_rows(text: str, limit: int) -> list[list[str]]:
    rows = [[g.zh[0], g.en[0]] for g in load_glossary().matching_groups(text) if g.zh and g.en]
    return rows[:limit]


def _quiz_sections(doc: WorkDocument, quiz: list[QuizQuestion], text: dict) -> None:
    questions = doc.section(text["quiz"])
    for i, q in enumerate(quiz, 1):
        questions.add("paragraph", [f"{i}. {q.stem}"])
        questions.add("bullets", [f"{'ABCD'[j]}. {option}" for j, option in enumerate(q.options)])
    key = doc.section(text["key"])
    key.add_table([text["key_header"], *[[str(i), _letter(q) + q.answer, f"[{q.citation}]"]
                                          for i, q in enumerate(quiz, 1)]])
    key.add("bullets", [with_marker(q.source_sentence, q.citation) for q in quiz], grounded=True)


def _letter(q: QuizQuestion) -> str:
    return f"{'ABCD'[q.options.index(q.answer)]}. " if q.options else ""
