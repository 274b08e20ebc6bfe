"""The answer's shape without the trained model: the best sentence first, no meta sentence, lists whole and in
order, a lead's details after it, and the partial answer's wording in both languages."""

from dataclasses import replace

import numpy as np
import pytest

from assistant.answering.base import PARTIAL
from assistant.answering.extractive import ExtractiveComposer, missing_words
from assistant.answering.features import Candidate, candidates
from assistant.answering.question import Question
from assistant.answering.reader import Reading
from assistant.answering.shaping import choose
from assistant.models import Chunk, Hit
from tests.helpers import passage_hit


def _reading(question: str, sentences: list[tuple[str, int, bool]], scores: list[float], status="answered"):
    cands = [Candidate(text, rank, pos, listed, "zh") for pos, (text, rank, listed) in enumerate(sentences)]
    return Reading(Question(question), status, cands, np.asarray(scores), support_threshold=0.5)


def test_the_best_sentence_comes_first_and_meta_sentences_never_appear():
    reading = _reading("8D是哪家公司推广的？", [("这是一个示例案例，并非真实企业。", 0, False),
                                              ("8D适合处理反复出现的问题。", 0, False),
                                              ("8D由福特汽车公司推广。", 1, False)], [0.99, 0.6, 0.9])
    chosen = [c.sentence for c in choose(reading, 4, [passage_hit('a'), passage_hit('b')])]
    assert chosen[0] == "8D由福特汽车公司推广。" and "这是一个示例案例，并非真实企业。" not in chosen


def test_sentences_alike_but_for_their_figures_are_both_kept():
    reading = _reading("一级、二级召回分别要在多长时间内启动？",
                       [("可能导致严重健康损害的属一级召回，应在24小时内启动。", 0, False),
                        ("可能导致一般健康损害的属二级召回，应在48小时内启动。", 0, False),
                        ("可能导致一般健康损害的属二级召回，应在48小时内启动调查。", 1, False)], [0.9, 0.8, 0.7])
    chosen = [c.sentence for c in choose(reading, 4, [passage_hit("a"), passage_hit("b")])]
    assert chosen == ["可能导致严重健康损害的属一级召回，应在24小时内启动。",
                      "可能导致一般健康损害的属二级召回，应在48小时内启动。"]


@pytest.mark.parametrize("following, kept", [
    ("The eight steps were an X-ray check, a TVOC test and a voltage check.", True),
    ("These figures are illustrative.", False),  # points back, but is about the document
    ("Samsung also delayed the launch of its next phone.", False),
])
def test_the_sentence_after_the_lead_joins_it_when_it_points_back(following, kept):
    cands = [Candidate("Samsung announced an 8-point battery safety check.", 0, 0, False, "en"),
             Candidate(following, 0, 1, False, "en"), Candidate("Other text about batteries.", 1, 0, False, "en")]
    reading = Reading(Question("What checks are in Samsung's battery safety check?"), "answered", cands,
                      np.asarray([0.9, 0.01, 0.5]), support_threshold=0.5)
    chosen = [c.sentence for c in choose(reading, 4, [passage_hit("a"), passage_hit("b")])]
    assert chosen[0] == "Samsung announced an 8-point battery safety check." and (following in chosen) == kept
    assert chosen[1] == (following if kept else "Other text about batteries.")


def test_a_lead_that_points_back_comes_after_the_sentence_it_points_to():
    cands = [Candidate("A Pareto chart sorts categories by size.", 0, 0, False, "en"),
             Candidate("Late delivery (150) and damaged packaging (110) account for 65% of 400 complaints.", 0, 1,
                       False, "en"),
             Candidate("Those two categories become the first improvement projects.", 0, 2, False, "en")]
    reading = Reading(Question("Which categories should be tackled first?"), "answered", cands,
                      np.asarray([0.3, 0.2, 0.9]), support_threshold=0.9)
    chosen = [c.sentence for c in choose(reading, 4, [passage_hit("a")])]
    assert chosen == [cands[1].sentence, cands[2].sentence]


@pytest.mark.parametrize("question, worked_out", [
    ("A shaft has limits 9.8–10.2 mm, mean 10.05 mm and sigma 0.04 mm. What are Cp and Cpk?", True),
    ("轴的规格限是9.8到10.2毫米，均值10.05、标准差0.04，Cp和Cpk是多少？", True),
    ("What are Cp and Cpk?", False),  # the lead gives figures the question does not: it is no restated setup
])
def test_a_lead_restating_the_question_s_figures_is_followed_by_its_result_from_the_overlapping_chunk(
        question, worked_out):
    setup = "Consider a shaft with limits 9.8 to 10.2 mm, a mean of 10.05 mm and a sigma of 0.04 mm."
    result = "Cp is 0.4 ÷ 0.24 ≈ 1.67, but Cpk is 0.15 ÷ 0.12 = 1.25."
    cands = [Candidate("Cpk compares the distance to the nearer limit with three sigma.", 0, 0, False, "en"),
             Candidate(setup, 0, 1, False, "en"),  # the first chunk ends on the setup ...
             Candidate(setup, 1, 0, False, "en"), Candidate(result, 1, 1, False, "en")]  # ... the next goes on
    reading = Reading(Question(question), "answered", cands, np.asarray([0.2, 0.9, 0.8, 0.05]),
                      support_threshold=0.5)
    chosen = [c.sentence for c in choose(reading, 4, [passage_hit("a"), passage_hit("b")])]
    assert chosen[0] == setup and (chosen[1:2] == [result]) == worked_out


@pytest.mark.parametrize("sentence, meta", [
    ("这是一个示例案例，并非真实企业。", True),
    ("These figures are illustrative.", True),
    ("某SaaS公司（示例）把系统故障时间缩短了40%，客户留存率随之提高。", False),  # the tag labels content
    ("案例中的某食品公司（示例）在供应链环节的质量管控存在缺口，最终不得不召回产品。", False),
    ("In an illustrative worked example, a retailer sorts 400 complaints into categories.", False),
    ("常见失败原因包括只追求短期成本节约。", False),  # '成本节约' holds no '本节'
])
def test_a_sentence_about_the_document_is_meta_and_an_illustrative_case_s_content_is_not(sentence, meta):
    from assistant.answering.features import is_meta

    assert is_meta(sentence) == meta


def test_a_recommendation_answer_is_the_whole_list_of_strategies():
    items = [("改进策略如下。", 0, False), ("对关键参数实施SPC。", 0, True), ("开展FMEA。", 0, True),
             ("建立CAPA闭环。", 0, True), ("其他说明。", 1, False)]
    reading = _reading("制造企业想降低返修率，有什么建议？", items, [0.2, 0.5, 0.9, 0.6, 0.1])
    chosen = [c.sentence for c in choose(reading, 2, [passage_hit("策略"), passage_hit("其他说明。")])]
    assert chosen == ["对关键参数实施SPC。", "开展FMEA。", "建立CAPA闭环。"]


@pytest.mark.parametrize("strategy_source, listed", [("guide.md", True), ("other.md", False)])
def test_a_recommendation_is_answered_by_the_strategy_section_of_the_best_sentence_s_document(strategy_source,
                                                                                              listed):
    """The strategies share no word with '从哪些方面入手', so a sentence of another section scores best; the
    answer is the strategy list of that sentence's document, not of another one."""
    hits = [Hit(Chunk("c1", "…", "guide.md", "制造业指南", "zh", section="客户满意度由什么决定")),
            Hit(Chunk("c2", "…", strategy_source, "制造业指南", "zh", section="改进策略"))]
    items = [("制造企业常用返修率把工厂质量与市场表现连接起来。", 0, False), ("对关键参数实施SPC。", 1, True),
             ("开展FMEA。", 1, True)]
    reading = _reading("制造企业想降低返修率，可以从哪些方面入手？", items, [0.3, 0.05, 0.04])
    chosen = [c.sentence for c in choose(reading, 4, hits)]
    assert (chosen == ["对关键参数实施SPC。", "开展FMEA。"]) == listed
    assert chosen[0] == ("对关键参数实施SPC。" if listed else items[0][0])


def test_a_procedure_answer_is_the_ordered_list():
    steps = [("准备工作很重要。", 0, False), ("第一步成立团队。", 0, True), ("第二步描述问题。", 0, True),
             ("第三步临时遏制。", 0, True), ("其他说明。", 1, False)]
    reading = _reading("8D 的步骤有哪些", steps, [0.2, 0.5, 0.9, 0.6, 0.1])
    hits = [passage_hit("8D"), passage_hit("其他说明。")]
    chosen = [c.sentence for c in choose(reading, 4, hits)]
    assert chosen == ["第一步成立团队。", "第二步描述问题。", "第三步临时遏制。"]


def test_a_list_cut_into_two_overlapping_passages_is_answered_whole_and_in_order():
    first = "HACCP 有七项原则：\n1. 进行危害分析，识别生物性危害。\n2. 确定关键控制点。\n3. 建立关键限值。"
    second = "3. 建立关键限值。\n4. 建立监控程序。\n5. 建立纠偏措施。"
    placed = ((second, 2, "doc.md"), (first, 1, "doc.md"), ("食品安全很重要。", 3, "x.md"))  # the list's end first
    hits = [Hit(replace(passage_hit(text).chunk, position=position, source=source))
            for text, position, source in placed]
    cands = candidates(hits)
    scores = [0.9 if c.sentence == "建立监控程序。" else 0.3 for c in cands]
    reading = Reading(Question("HACCP 的步骤有哪些"), "answered", cands, np.asarray(scores), support_threshold=0.5)
    assert [c.sentence for c in choose(reading, 4, hits)] == [
        "进行危害分析，识别生物性危害。", "确定关键控制点。", "建立关键限值。", "建立监控程序。", "建立纠偏措施。"]


@pytest.mark.parametrize("announcement", ["DORA 提炼出了衡量交付表现的四项指标：",
                                          "质量成本通常分为四类，便于管理层理解。",
                                          "Typical systems include the following capabilities."])
def test_a_sentence_announcing_a_list_is_followed_by_the_list_whatever_the_question_type(announcement):
    sentences = [(announcement, 0, False), ("部署频率衡量发布的频率。", 0, True),
                 ("变更失败率衡量失败的比例。", 0, True), ("服务恢复时间衡量恢复所需时间。", 0, True),
                 ("与指标无关的说明。", 1, False)]
    reading = _reading("这个有哪些", sentences, [0.9, 0.2, 0.1, 0.1, 0.05])  # a definition question
    chosen = [c.sentence for c in choose(reading, 4, [passage_hit("a"), passage_hit("b")])]
    assert chosen[:4] == [s for s, _, _ in sentences[:4]]


def test_a_sentence_without_an_announcement_or_a_list_after_it_stays_alone():
    plain = [("8D由福特汽车公司推广。", 0, False), ("第一步成立团队。", 0, True)]
    chosen = choose(_reading("8D是谁推广的", plain, [0.9, 0.0]), 4, [passage_hit("a")])
    assert [c.sentence for c in chosen] == [plain[0][0]]
    far = [("指标分为四类。", 0, False), ("其一。", 0, False), ("其二。", 0, False), ("第一项指标。", 0, True)]
    chosen = choose(_reading("指标分几类", far, [0.9, 0.0, 0.0, 0.0]), 4, [passage_hit("a")])
    assert [c.sentence for c in chosen] == [far[0][0]]


def test_a_list_announcement_ends_its_claim_with_a_full_stop():
    from assistant.answering.grounding import with_marker

    assert with_marker("四项指标：", 1) == "四项指标[1]。"
    assert with_marker("the four metrics are:", 2) == "the four metrics are [2]."


def test_a_partial_answer_says_what_is_missing_and_cites_what_is_there():
    hits = [passage_hit("福特在1987年推广了8D方法。", title="8D 问题解决法")]
    reading = _reading("福特推广8D的培训预算是多少？", [("福特在1987年推广了8D方法。", 0, False)], [0.4], "partial")
    reading = replace(reading, missing=["培训", "预算"])
    composition = ExtractiveComposer(4).compose(reading, hits, "zh")
    assert composition.status == "partial" and composition.refused
    assert composition.shown.startswith("资料介绍了《8D 问题解决法》，但没有提到培训、预算。")
    assert "[1]" in composition.text and composition.cited[1] is hits[0]
    assert PARTIAL["en"].format(topic="x", missing="y").startswith("The knowledge base covers x")


def test_an_english_partial_answer_reads_as_english():
    hits = [passage_hit("Motorola launched Six Sigma in 1986.", title="Motorola and Six Sigma")]
    reading = _reading("What was Motorola's training budget?", [("Motorola launched Six Sigma in 1986.", 0, False)],
                       [0.3], "partial")
    composition = ExtractiveComposer(4).compose(replace(reading, missing=["train", "budget"]), hits, "en")
    assert composition.shown.startswith(
        "The knowledge base covers “Motorola and Six Sigma”, but it does not give training, budget. Related:")


def test_a_partial_answer_names_the_document_its_related_sentences_come_from():
    hits = [passage_hit("PDCA 是计划、执行、检查、处理的循环。", title="PDCA 循环"),
            passage_hit("灰度发布先把新版本开放给少量用户。", title="SaaS 持续交付案例")]
    sentences = [("PDCA 是计划、执行、检查、处理的循环。", 0, False), ("灰度发布先把新版本开放给少量用户。", 1, False)]
    reading = _reading("灰度发布第一批放量多少用户？", sentences, [0.1, 0.4], "partial")
    composition = ExtractiveComposer(4).compose(replace(reading, missing=["放量"]), hits, "zh")
    assert composition.shown.startswith("资料介绍了《SaaS 持续交付案例》，但没有提到放量。")


def test_missing_words_show_the_words_asked_not_their_stems():
    assert missing_words(["budget", "train"], "What was the training budget?", "en") == "budget, training"


def test_a_partial_answer_names_only_missing_words_answers_use():
    from assistant.answering.reader import _most_needed

    assert _most_needed(["预算", "花"], {"预算": 0.8, "花": 0.1}) == ["预算"]
    assert _most_needed(["想", "才"], {"想": 0.02, "才": 0.09}) == []  # then the partial answer names none
