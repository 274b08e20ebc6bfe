"""The chat's per-user parts without a browser: the conversation kept in the data dir (round trip, one file per
user, size limits, hostile names), example questions from a knowledge base's own headings, the backend offer."""

import json
import re
import types

import pytest

from assistant.app import chat_options, conversations
from assistant.app.ui.chat import render_answer
from assistant.auth import User, UserStore
from assistant.errors import PermissionDeniedError
from assistant.service import Assistant
from tests.helpers import ui_callbacks

QUESTIONS = ["How is the Net Promoter Score calculated?", "8D 的步骤有哪些？"]


def _turns(assistant, user, questions=QUESTIONS, kb="default"):
    """Turns as the chat keeps them: the question, the kb, the `ask` JSON, the answer's place in the chat."""
    return [{"question": q, "kb": kb, "answer": assistant.ask(q, kb, user=user).to_dict(), "index": 2 * n + 1}
            for n, q in enumerate(questions)]


def test_a_conversation_round_trips_and_renders_as_the_chat_did(secured):
    assistant, viewer, editor = secured
    turns = _turns(assistant, viewer)
    assert conversations.save(assistant, viewer, turns) == 2
    loaded = conversations.load(assistant, viewer)
    assert loaded == turns
    messages, renumbered = conversations.chat_messages(loaded, render_answer)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert messages[1]["content"] == render_answer(assistant.ask(QUESTIONS[0], user=viewer))
    assert [t["index"] for t in renumbered] == [1, 3]  # what the thumbs under each answer report
    assert list(assistant.settings.conversations_dir.glob(".*")) == []  # the atomic write left no temporary file


def test_append_keeps_the_last_turns(secured):
    assistant, viewer, _ = secured
    [turn] = _turns(assistant, viewer, QUESTIONS[:1])
    for n in range(conversations.MAX_TURNS + 2):
        conversations.append(assistant, viewer, {**turn, "question": f"q{n}"})
    kept = conversations.load(assistant, viewer)
    assert len(kept) == conversations.MAX_TURNS and kept[-1]["question"] == f"q{conversations.MAX_TURNS + 1}"
    assert conversations.append(assistant, None, turn) == 0


def test_each_user_has_their_own_and_without_sign_in_nothing_is_kept(secured, small_kb):
    assistant, viewer, editor = secured
    conversations.save(assistant, viewer, _turns(assistant, viewer, QUESTIONS[:1]))
    conversations.save(assistant, editor, _turns(assistant, editor, QUESTIONS[1:]))
    assert [t["question"] for t in conversations.load(assistant, viewer)] == QUESTIONS[:1]
    assert [t["question"] for t in conversations.load(assistant, editor)] == QUESTIONS[1:]
    assert conversations.load(assistant, User("nobody-yet", "viewer")) == []
    conversations.clear(assistant, viewer)
    assert conversations.load(assistant, viewer) == [] and conversations.load(assistant, editor)
    open_app = Assistant(small_kb.settings.model_copy(update={"data_dir": small_kb.settings.data_dir.parent / "o"}))
    assert conversations.save(open_app, None, _turns(small_kb, None, QUESTIONS[:1])) == 0
    assert not open_app.settings.conversations_dir.exists()


def test_turns_of_a_kb_the_user_may_no_longer_read_are_not_restored(secured):
    assistant, viewer, editor = secured
    kept = _turns(assistant, viewer, QUESTIONS[:1])
    conversations.save(assistant, viewer, kept + [{**kept[0], "kb": "secret", "question": "secret?"}])
    assert [t["kb"] for t in conversations.load(assistant, viewer)] == ["default"]


def test_the_last_turns_within_the_byte_limit_are_kept(secured, monkeypatch):
    assistant, viewer, _ = secured
    [turn] = _turns(assistant, viewer, QUESTIONS[:1])
    many = [{**turn, "question": f"question {n}"} for n in range(conversations.MAX_TURNS + 5)]
    assert conversations.save(assistant, viewer, many) == conversations.MAX_TURNS
    assert conversations.load(assistant, viewer)[0]["question"] == "question 5"
    size = len(json.dumps({"turns": [turn]}, ensure_ascii=False).encode())
    monkeypatch.setattr(conversations, "MAX_BYTES", int(size * 2.5))
    assert conversations.save(assistant, viewer, many) == 2  # the oldest go until the rest fit
    path = conversations.conversation_path(assistant, viewer.name)
    assert path.stat().st_size <= size * 2.5
    path.write_text(json.dumps({"turns": many}), encoding="utf-8")  # larger than the limit: never read
    assert conversations.load(assistant, viewer) == []


def test_a_damaged_file_or_malformed_turns_restore_nothing_broken(secured):
    assistant, viewer, _ = secured
    [turn] = _turns(assistant, viewer, QUESTIONS[:1])
    path = conversations.conversation_path(assistant, viewer.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert conversations.load(assistant, viewer) == []
    bad_answers = [{"answer": "text"}, {**turn["answer"], "citations": [{"n": 1}]},
                   {**turn["answer"], "answer": 42}, {**turn["answer"], "grounding": {"supported_ratio": "x"}},
                   {**turn["answer"], "extra": 1}]
    broken = [{**turn, "answer": bad} for bad in bad_answers] + [{"question": 1, "kb": "default"}, "turn", turn]
    path.write_text(json.dumps({"turns": broken}), encoding="utf-8")
    assert conversations.load(assistant, viewer) == [turn]
    assert conversations.save(assistant, viewer, "not a list") == 0 and not path.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", ".", "a/b", "a\\b", "a\x00b", "x" * 500, "名字", "a.b"])
def test_hostile_user_names_stay_inside_the_folder(hash_settings, name):
    assistant = Assistant(hash_settings)
    path = conversations.conversation_path(assistant, name)
    folder = hash_settings.conversations_dir
    assert path.parent == folder and path.name.endswith(".json") and "/" not in path.name and "\x00" not in path.name
    assert len(path.name) <= conversations.NAME_CHARS + 22
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    if readable != name:  # the two names read alike in the file name; the hash still tells them apart
        assert path != conversations.conversation_path(assistant, readable)


def test_the_ui_keeps_restores_and_forgets_the_signed_in_users_conversation(secured):
    assistant, viewer, _ = secured
    fns = ui_callbacks(assistant)
    vic = types.SimpleNamespace(username="vic")
    *_, (messages, _, last) = fns["chat._handlers.chat_turn"](QUESTIONS[0], [], "default", "", "", "", "", vic)
    *_, (messages, _, last) = fns["chat._handlers.chat_turn"](QUESTIONS[1], messages, "default", "", "", "", "", vic)
    assert [t["question"] for t in conversations.load(assistant, viewer)] == QUESTIONS  # kept as each was answered
    restored, restored_turns = fns["conversation._conversation_handlers.restore"](vic)
    assert [m["content"] for m in restored[1::2]] == [m["content"] for m in messages[1::2]]
    assert [t["index"] for t in restored_turns] == [1, 3] and restored_turns[1]["answer"] == last["answer"]
    assert fns["conversation._conversation_handlers.new"](vic) == ([], [], {})
    assert conversations.load(assistant, viewer) == []
    assert all(not isinstance(v, list) for v in fns["conversation._conversation_handlers.restore"](vic))


def _write(folder, name, title, lang, doc_type, sections):
    body = "".join(f"\n## {heading}\n\n{text}\n" for heading, text in sections)
    path = folder / name
    front = f"title: {json.dumps(title, ensure_ascii=False)}\nlang: {lang}\ndoc_type: {doc_type}"
    path.write_text(f"---\n{front}\n---\n# {title}\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def two_kbs(hash_settings, tmp_path):
    """'plants': a Chinese method and an English case; 'service': one English document with three sections."""
    assistant = Assistant(hash_settings)
    docs = [_write(tmp_path, "spc.md", "统计过程控制：控制图入门", "zh", "method",
                   [("控制限", "控制限由过程数据计算，不是规格限。")]),
            _write(tmp_path, "recall.md", "Case Study: The Brake Pad Recall", "en", "case_study",
                   [("What went wrong", "A supplier changed the resin without notice.")])]
    assistant.ingest(docs, "plants", progress=False)
    assistant.ingest([_write(tmp_path, "desk.md", "Help Desk Quality", "en", "metric",
                             [("First Contact Resolution", "FCR is the share of issues solved at once."),
                              ("Average Handle Time", "AHT is the mean time spent per contact."),
                              ("Customer Effort Score", "CES asks how easy it was to get help.")])],
                     "service", progress=False)
    return assistant


def test_example_questions_come_from_each_kbs_headings_in_their_language(two_kbs):
    plants = chat_options.example_questions(two_kbs, None, "plants")
    assert plants[:2] == ["What are the lessons of the Brake Pad Recall?", "什么是统计过程控制？"]
    assert chat_options.example_questions(two_kbs, None, "plants") == plants  # the same every time
    service = chat_options.example_questions(two_kbs, None, "service")
    assert service == ["What are the key points of Help Desk Quality?",
                       "What does Help Desk Quality say about First Contact Resolution?",
                       "What does Help Desk Quality say about Average Handle Time?",
                       "What does Help Desk Quality say about Customer Effort Score?"]
    assert len(plants) <= chat_options.MAX_EXAMPLES and not set(plants) & set(service)


def test_a_reader_only_gets_examples_of_a_kb_they_may_read(secured):
    assistant, viewer, editor = secured
    assistant.create_kb("secret", user=editor)
    with pytest.raises(PermissionDeniedError):
        chat_options.example_questions(assistant, viewer, "secret")
    fns = ui_callbacks(assistant)
    dataset, listed = fns["conversation._option_handlers.examples"]("secret", types.SimpleNamespace(username="vic"))
    assert listed == [] and dataset.visible is False
    dataset, listed = fns["conversation._option_handlers.examples"]("default", types.SimpleNamespace(username="vic"))
    assert listed and dataset.visible is True
    fill = fns["conversation._option_handlers.fill"]
    assert fill(0, listed) == listed[0] and not isinstance(fill(99, listed), str)


@pytest.mark.parametrize(("heading", "doc_type", "question"), [
    ("8D 问题解决法：D0–D8 步骤与报告要点", "method", "什么是8D 问题解决法？"),
    ("示例：某汽车制造商实施精益生产，缺陷率降至0.5%", "case_study", "某汽车制造商实施精益生产有哪些经验教训？"),
    ("常见质量管控问题如何损害客户满意度", "overview", "常见质量管控问题如何损害客户满意度？"),
    ("Customer Metrics for Quality Control (NPS, CSAT)", "metric", "What are the key points of Customer Metrics for "
     "Quality Control?"),
    ("pallet-inspection", "other", "What are the key points of pallet inspection?"),
    ("x", "method", None),
    ("A heading that goes on and on far beyond what anyone would ever ask about in one question", "method", None),
])
def test_one_heading_one_question(heading, doc_type, question):
    assert chat_options.question_for(heading, doc_type) == question


def test_only_who_may_choose_is_offered_the_backends(secured, tmp_path):
    assistant, viewer, editor = secured
    store = UserStore(assistant.settings.auth_file)
    admin = store.add_user("ada", "admin-pass", "admin")
    offered = assistant.settings.model_copy(update={"backends": ["extractive", "ollama:qwen2.5"]})
    several = Assistant(offered)
    assert chat_options.backend_choice(several, viewer) == {"choices": ["extractive"], "value": "extractive",
                                                            "may_choose": False}
    assert chat_options.backend_choice(several, editor)["may_choose"] is False
    assert chat_options.backend_choice(several, admin) == {"choices": ["extractive", "ollama:qwen2.5"],
                                                           "value": "extractive", "may_choose": True}
    open_app = Assistant(offered.model_copy(update={"auth_file": None}))
    assert chat_options.backend_choice(open_app, None)["may_choose"] is True
    assert chat_options.backend_choice(assistant, admin)["may_choose"] is False  # one backend: nothing to choose
    dropdown = ui_callbacks(several)["conversation._option_handlers.backends"](types.SimpleNamespace(username="vic"))
    assert dropdown.interactive is False and dropdown.choices == [("extractive", "extractive")]
