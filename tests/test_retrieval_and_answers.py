"""Hybrid retrieval and extractive answers over the real corpus, real model and real Chroma."""

import pytest

from assistant.errors import BadInputError
from assistant.retrieval.hybrid import QCRetriever, SearchFilters

pytestmark = pytest.mark.integration


def _sources(result):
    return [h.chunk.source for h in result.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SPC控制图的判异规则有哪些？", "corpus/zh/spc-control-charts.md"),
        ("How is the Net Promoter Score calculated?", "corpus/en/customer-metrics.md"),
        ("三鹿奶粉事件", "corpus/zh/case-sanlu-melamine.md"),
        ("Galaxy Note 7 battery recall", "corpus/en/case-galaxy-note7.md"),
    ],
)
def test_hits_come_from_the_right_document(corpus_assistant, query, expected):
    assert expected in _sources(corpus_assistant.search(query))


def test_glossary_lets_an_english_query_find_chinese_evidence(corpus_assistant):
    result = corpus_assistant.search("Haier smashed refrigerators", lang="zh")
    assert "corpus/zh/case-haier-refrigerators.md" in _sources(result)
    assert "海尔" in result.expanded_terms or any("海尔" in h.matched_terms for h in result.hits)


def test_hits_carry_every_score_and_the_matched_terms(corpus_assistant):
    hit = corpus_assistant.search("FMEA 风险优先数 RPN").hits[0]
    assert hit.fused_score > 0 and (hit.dense_score > 0 or hit.bm25_score > 0)
    assert {"rpn", "风险优先数"} & set(hit.matched_terms)


def test_filters_restrict_and_a_filter_matching_nothing_gives_no_evidence(corpus_assistant):
    result = corpus_assistant.search("recall", industry="food", lang="en")
    assert result.hits and all(h.chunk.lang == "en" for h in result.hits)
    assert all({"food", "general"} & set(h.chunk.industries) for h in result.hits)
    assert corpus_assistant.search("recall", source="corpus/en/no-such-file.md").hits == []
    with pytest.raises(BadInputError, match="known industries"):
        corpus_assistant.search("recall", industry="astrology")


def test_langchain_retriever_adapter_returns_documents(corpus_assistant):
    retriever = QCRetriever(searcher=corpus_assistant.searcher(), filters=SearchFilters(lang="en"), k=3)
    docs = retriever.invoke("control chart rules")
    assert len(docs) == 3 and all(d.metadata["source"].startswith("corpus/en/") for d in docs)


def test_answer_in_chinese_with_citations_and_the_seed_figures(corpus_assistant):
    answer = corpus_assistant.ask("某汽车制造商实施精益生产后客户投诉率下降了多少？")
    assert not answer.refused and answer.language == "zh"
    assert "40%" in answer.answer and "[1]" in answer.answer
    assert answer.citations[0].n == 1 and answer.citations[0].source.startswith("corpus/zh/")
    assert answer.grounding.supported_ratio == 1.0


def test_answer_in_english_cites_real_passages(corpus_assistant):
    answer = corpus_assistant.ask("By how much did the death rate fall in the WHO surgical checklist study?")
    assert not answer.refused and answer.language == "en"
    assert "0.8%" in answer.answer
    assert all(c.quote and c.chunk_id for c in answer.citations)


@pytest.mark.parametrize("question", ["红烧肉怎么做？", "Who won the 2018 football World Cup?"])
def test_out_of_domain_questions_are_refused(corpus_assistant, question):
    answer = corpus_assistant.ask(question)
    assert answer.refused and answer.answer_status == "refused" and answer.citations == []
    assert answer.answer in ("知识库中没有找到相关依据。", "The knowledge base has no evidence for this.")


def test_follow_up_carries_the_previous_topic(corpus_assistant):
    history = [{"role": "user", "content": "制造业如何降低客户投诉率？"}, {"role": "assistant", "content": "…"}]
    answer = corpus_assistant.ask("那服务业呢？", history=history)
    assert answer.standalone_question == "服务业如何降低客户投诉率？" and not answer.refused
    assert any("服务" in c.title or "service" in c.source for c in answer.citations)


@pytest.mark.parametrize("filters", [SearchFilters(industry="logistics"), SearchFilters(lang="en"),
                                     SearchFilters(doc_type="case_study", industry="manufacturing")])
def test_a_filtered_dense_search_finds_what_chromas_filter_finds(corpus_assistant, filters):
    """The dense side reads unfiltered nearest chunks and filters them itself (Chroma filters the whole collection
    first: 24 s per query at 1M chunks); the chunks it keeps are those Chroma's own filter returns."""
    searcher = corpus_assistant.searcher()
    query = "how to reduce customer complaints about late delivery"
    vector = searcher.embedder.embed([query])[0]
    expected = [c.chunk_id for c, _ in searcher.kb.dense_search(vector, corpus_assistant.settings.candidate_k,
                                                                  filters.where())]
    found = list(searcher._dense(query, [], filters))
    assert expected and found == expected
