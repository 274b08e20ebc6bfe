"""The general Chinese-English lexicon: renderings the knowledge base uses, in both directions, and what they let a
question in one language find and read in the other."""

from __future__ import annotations

from pathlib import Path

from assistant.answering.terms import QuestionTerms
from assistant.retrieval.hybrid import SearchFilters
from assistant.retrieval.lexicon import load_lexicon
from assistant.service import Assistant


def test_a_chinese_word_renders_as_the_english_words_the_knowledge_base_uses():
    lexicon = load_lexicon()
    used = {"inspect": 9, "test": 3}.get
    # 检验 is glossed 'to inspect / to examine / to test'; 'examine' is not in this knowledge base, so never given.
    assert lexicon.renderings("检验", lambda t: used(t, 0), limit=2) == [("inspect",), ("test",)]
    assert lexicon.renderings("检验", lambda t: 0, limit=2) == []


def test_an_english_word_renders_as_the_most_used_chinese_word():
    lexicon = load_lexicon()
    frequency = {"投诉": 12, "意见": 30, "申诉": 1}.get
    assert lexicon.renderings("complaint", lambda t: frequency(t, 0), limit=2) == [("意见",), ("投诉",)]
    assert lexicon.renderings("no-such-word", lambda t: 1, limit=2) == []


def _bilingual_kb(tmp_path: Path, hash_settings) -> Assistant:
    """Two passages on different topics, one per language, that share no glossary term."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "forklifts.md").write_text(
        "# Yard rules\n\nForklift truck drivers must wear a seat belt and sound the horn at every blind spot. "
        "Speed in the yard is limited to walking pace.\n", encoding="utf-8")
    (docs / "canteen.md").write_text(
        "# 食堂管理\n\n食堂每天中午十一点半开饭，菜单每周更新一次，员工可以在食堂意见簿上留言。\n", encoding="utf-8")
    assistant = Assistant(hash_settings)
    assistant.ingest([docs], progress=False)
    return assistant


def test_a_chinese_question_finds_and_reads_an_english_passage(tmp_path, hash_settings):
    assistant = _bilingual_kb(tmp_path, hash_settings)
    question = "叉车司机在盲区要按喇叭吗？"  # no glossary term: only the lexicon connects the two languages
    hits = assistant.searcher().search(question, SearchFilters(), 2).hits
    assert hits[0].chunk.source.endswith("forklifts.md")
    terms = QuestionTerms(question, assistant.lexical())
    assert terms.coverage(hits[0].chunk.text) > 0.5
    plain = Assistant(hash_settings.model_copy(update={"cross_language_expansion": False}))
    assert not [h for h in plain.searcher().search(question, SearchFilters(), 2).hits
                if h.chunk.source.endswith("forklifts.md") and h.bm25_score > 0]
