"""Grounding checks and follow-up rewriting: pure functions, no models."""

from assistant.answering.grounding import apply_mode, assess, check_grounding, drop_unknown_citations
from assistant.answering.rewrite import rule_based_condense

ZH = "某电子产品公司通过优化质量管控流程，将产品返修率降低了30%，客户满意度评分（CSAT）提升了15%。"
EN = "Samsung recalled about 2.5 million Galaxy Note 7 phones in September 2016 after batteries overheated."


def test_supported_sentences_pass_in_both_languages():
    report = check_grounding("产品返修率降低了30%，CSAT提升了15%[1]。Samsung recalled about 2.5 million phones [2].",
                             {1: ZH, 2: EN})
    assert report.supported_ratio == 1.0 and report.unsupported == []


def test_changed_number_swapped_entity_and_negation_are_flagged():
    passages = {1: ZH, 2: EN}
    for claim in ["产品返修率降低了40%[1]。",  # changed number
                  "产品返修率降低了30个百分点[1]。",  # same number, other unit
                  "Toyota recalled about 2.5 million Galaxy Note 7 phones [2].",  # swapped entity
                  "Samsung did not recall the Galaxy Note 7 phones [2].",  # negation
                  "产品返修率没有降低[1]。"]:
        assert check_grounding(claim, passages).supported_ratio == 0.0, claim


def test_citations_must_point_at_retrieved_passages():
    assert check_grounding("产品返修率降低了30%[3]。", {1: ZH}).supported_ratio == 0.0
    assert drop_unknown_citations("A [1]. B [4]. C [1, 4].", {1}) == "A [1]. B. C [1]."


def test_annotate_marks_and_strip_removes_unsupported_sentences():
    claims = assess("产品返修率降低了30%[1]。返修率降低了90%[1]。", {1: ZH})
    annotated, _ = apply_mode(claims, "annotate", "zh")
    assert annotated == "产品返修率降低了30%[1]。返修率降低了90%[1]。 ⚠[未经资料证实]"
    stripped, notes = apply_mode(claims, "strip", "zh")
    assert stripped == "产品返修率降低了30%[1]。" and "1" in notes[0]


def test_follow_ups_are_rewritten_by_rule():
    history = [{"role": "user", "content": "制造业如何降低客户投诉率？"}, {"role": "assistant", "content": "…"}]
    assert rule_based_condense("那服务业呢？", history) == "服务业如何降低客户投诉率？"
    english = [{"role": "user", "content": "How can manufacturing reduce complaints?"}]
    assert rule_based_condense("What about logistics?", english) == "How can logistics reduce complaints?"
    assert rule_based_condense("How is it measured?", english) == \
        "How can manufacturing reduce complaints? How is it measured?"
    assert rule_based_condense("And how is CSAT different?", english) == \
        "How can manufacturing reduce complaints? And how is CSAT different?"
    assert rule_based_condense("What is SPC used for in food plants?", english) == \
        "What is SPC used for in food plants?"
    # industries named by who works in them: a manufacturer, hotels and restaurants
    maker = [{"role": "user", "content": "How does a manufacturer keep defects from reaching customers?"}]
    assert rule_based_condense("What about hotels and restaurants?", maker) == \
        "How does a restaurants keep defects from reaching customers?"


def test_a_new_member_of_a_numbered_series_takes_the_old_ones_place():
    eight_d = [{"role": "user", "content": "8D方法是哪家公司推广的？"},
               {"role": "user", "content": "其中D3是做什么的？"}]
    # the topic's terms, not the question about the topic: '哪家公司推广' would pull the passage on who promoted it
    assert rule_based_condense("那D7呢？", eight_d) == "8D 其中D7是做什么的？"
    steps = [{"role": "user", "content": "What happens in step 2 of the 8D?"}]
    assert rule_based_condense("What about step 4?", steps) == "What happens in step 4 of the 8D?"
    # one QC acronym for another: a metric for a metric
    assert rule_based_condense("那Cpk呢？", [{"role": "user", "content": "Cp 怎么算？"}]) == "Cpk 怎么算？"
    nps = [{"role": "user", "content": "What is NPS and how is it calculated?"}]
    assert rule_based_condense("And how is CSAT different?", nps) == "What is CSAT and how is it calculated?"
    # nothing to swap: the earlier question and the new subject are both kept
    cp = [{"role": "user", "content": "Cp 怎么算？"}]
    assert rule_based_condense("那质量文化呢？", cp) == "Cp 怎么算？ 那质量文化呢？"


def test_a_question_pointing_back_carries_the_topic_of_the_conversation():
    pdca = [{"role": "user", "content": "PDCA循环包括哪几个阶段？"}, {"role": "assistant", "content": "计划、执行……"}]
    assert rule_based_condense("这个方法最早是从谁的思想来的？", pdca) == "PDCA循环 这个方法最早是从谁的思想来的？"
    dora = [{"role": "user", "content": "What are the four DORA metrics?"},
            {"role": "user", "content": "Which of them describe stability?"}]
    assert rule_based_condense("Which book summarised that research?", dora) == \
        "DORA metrics Which book summarised that research?"
    checklist = [{"role": "user", "content": "What are the three pauses in the WHO Surgical Safety Checklist?"}]
    assert rule_based_condense("Who led the study that evaluated it, and how many hospitals took part?", checklist) \
        == "WHO Surgical Safety Checklist Who led the study that evaluated it, and how many hospitals took part?"
    no_terms = [{"role": "user", "content": "Who runs the night shift audit?"}]
    assert rule_based_condense("Why does it matter?", no_terms) == "Who runs the night shift audit? Why does it matter?"
    own_topic = "它和FMEA在汽车行业里通常怎么配合使用？"
    assert rule_based_condense(own_topic, pdca) == own_topic
