"""What a request may ask of the server, checked before any work, the same for the CLI and the app: the size and
shape of a question and its history, and knowledge bases that exist."""

import pytest

from assistant.errors import BadInputError

pytestmark = pytest.mark.security


def test_a_question_over_the_limit_is_refused_before_retrieval(small_kb, monkeypatch):
    limit = small_kb.settings.max_question_chars
    monkeypatch.setattr(type(small_kb), "searcher", lambda *a, **k: pytest.fail("retrieval ran"))
    with pytest.raises(BadInputError, match=f"limit is {limit:,}"):
        small_kb.ask("客户满意" * limit)


@pytest.mark.parametrize("question, history, message", [
    (123, None, "question must be text"),
    ("   ", None, "question is empty"),
    ("What is NPS?", "x", "history must be a list"),
    ("What is NPS?", ["x"], "history must be a list"),
])
def test_malformed_questions_and_histories_are_clear_errors(small_kb, question, history, message):
    with pytest.raises(BadInputError, match=message):
        small_kb.ask(question, history=history)


def test_a_long_conversation_is_read_from_its_last_turns_not_refused(small_kb):
    turns = [{"role": "user" if i % 2 == 0 else "assistant", "content": "PDCA " * 5000} for i in range(40)]
    turns[-2]["content"] = "What is the Net Promoter Score?"
    answer = small_kb.ask("How is it calculated?", history=turns)  # 200,000 characters of history: no error
    assert "Net Promoter" in answer.standalone_question


def test_a_question_or_search_never_creates_a_knowledge_base(secured):
    assistant, viewer, editor = secured
    before = assistant.kb_names()
    for call in (lambda: assistant.ask("What is NPS?", kb="made-up", user=viewer),
                 lambda: assistant.search("NPS", kb="made-up", user=viewer),
                 lambda: assistant.ask("What is NPS?", kb="made-up")):
        with pytest.raises(BadInputError, match="there is no knowledge base 'made-up'"):
            call()
    assert assistant.kb_names() == before
    assistant.create_kb("made-up", user=editor)  # an editor may create one
    assert "made-up" in assistant.kb_names() and assistant.search("NPS", kb="made-up", user=viewer).hits == []


@pytest.mark.parametrize("k", [-1, 0, 2.5, "3", True, 10**6])
def test_search_takes_only_a_sensible_number_of_hits(small_kb, k):
    with pytest.raises(BadInputError, match="k must be a whole number from 1 to"):
        small_kb.search("Net Promoter Score", k=k)
    assert len(small_kb.search("Net Promoter Score", k=2).hits) == 2


@pytest.mark.parametrize("answer, message", [
    ("an answer", "must be the JSON object that ask returned"),
    ({"answer": "x", "citations": "1,2"}, "citations must be a list of objects"),
    ({"answer": "x", "retrieved": [1, 2]}, "retrieved must be a list"),
    ({"answer": "x", "retrieved": ["c"] * 201}, "at most 200 chunk ids"),
    ({"answer": 5, "retrieved": ["c"]}, "answer must be text"),
])
def test_feedback_on_a_malformed_answer_is_a_clear_error(small_kb, answer, message):
    from assistant.app import actions as app_actions

    with pytest.raises(BadInputError, match=message):
        app_actions.feedback(small_kb, None, "down", "What is NPS?", answer, "wrong")


@pytest.mark.parametrize("kb", [5, "default\n", "../etc", ""])
def test_a_knowledge_base_name_is_text_of_letters_digits_dash_underscore(small_kb, kb):
    with pytest.raises(BadInputError, match="invalid knowledge base name"):
        small_kb.search("NPS", kb=kb)


@pytest.mark.parametrize("call, message", [
    (lambda a: a.delete_source({"$ne": "x"}, "default"), "name the source to delete"),  # no operator injection
    (lambda a: a.ask("What is NPS?", lang={"$ne": "zh"}), "lang must be a name such as en or zh"),
    (lambda a: a.ask("What is NPS?", doc_type=["method"]), "doc_type must be a name"),
])
def test_filters_and_names_never_reach_chroma_as_operators(small_kb, call, message):
    before = small_kb.kb().count()
    with pytest.raises(BadInputError, match=message):
        call(small_kb)
    assert small_kb.kb().count() == before


@pytest.mark.parametrize("fields", [{"topic": 5}, {"topic": "8D", "audience": ["x"]}, {"topic": "8D" * 5000}])
def test_work_product_fields_are_text_of_bounded_length(small_kb, fields):
    from assistant.app import actions as app_actions

    with pytest.raises(BadInputError, match="must be text of at most"):
        app_actions.workflow(small_kb, None, "onboarding", kb="default", **fields)
