"""Chat calculators: each metric in both languages against a value worked out by hand, questions that must not
trigger one, and the computed sentence through the chain, the evals' claim counts and `ask --json`."""

from __future__ import annotations

import json

import pytest

from assistant.answering.calculated import compute
from assistant.models import Answer, Citation
from assistant.text import detect_language
from evals.metrics import answer_claims

# (question, metric, expected value, sentence shown)
CASES = [
    ("上月发货 12000 件，退货 360 件，退货率是多少？", "return_rate", 3.0,
     "按你给的数字：退货率 = 360 ÷ 12000 = 3.0%。"),
    ("We shipped 8,000 units and 120 were returned — what's our return rate?", "return_rate", 1.5,
     "From your figures: return rate = 120 ÷ 8,000 = 1.5%."),
    ("本月生产 1.2万 件，其中不良 240 件，不良率是多少？", "defect_rate", 2.0, None),
    ("We inspected 2,500 parts and found 50 defective. What is the defect rate?", "defect_rate", 2.0, None),
    ("上季度订单 4000 单，收到投诉 36 起，投诉率是多少？", "complaint_rate", 0.9, None),
    ("We had 45 complaints on 9,000 orders; what's the complaint rate?", "complaint_rate", 0.5, None),
    ("投入 500 件，一次通过 470 件，一次合格率是多少？", "first_pass_yield", 94.0, None),
    ("500 units started, 30 needed rework. What is the first-pass yield?", "first_pass_yield", 94.0,
     "From your figures: first-pass yield = (500 − 30) ÷ 500 = 94.0%."),
    ("检验 500 件产品，每件有 5 个缺陷机会，共发现 12 个缺陷，DPMO 是多少？", "dpmo", 4800.0, None),
    ("We found 12 defects in 500 units, each with 5 defect opportunities. What's the DPMO?", "dpmo", 4800.0,
     "From your figures: DPMO = 12 ÷ (500 × 5) × 1,000,000 = 4,800."),
    # 6,210 DPMO is 4.0 sigma in every sigma table (with the 1.5 shift); 4,800 DPMO: z(0.9952) = 2.5899 + 1.5.
    ("DPMO 为 6210，对应的西格玛水平是多少？", "sigma_level", 4.0, None),
    ("12 defects in 500 units with 5 opportunities each: what sigma level is that?", "sigma_level", 4.0899, None),
    ("调查 200 位客户，推荐者 120 人，中立者 50 人，贬损者 30 人，NPS 是多少？", "nps", 45.0,
     "按你给的数字：NPS = (120 − 30) ÷ 200 × 100 = 45.0。"),
    ("Promoters 60%, passives 25%, detractors 15% — what's our NPS?", "nps", 45.0, None),
    ("120 promoters, 50 passives and 30 detractors: calculate the NPS.", "nps", 45.0, None),
    ("共收回 400 份问卷，其中 340 人满意（4 或 5 分），CSAT 是多少？", "csat", 85.0, None),
    ("200 respondents, 170 gave 4 or 5. What is the CSAT?", "csat", 85.0, None),
    ("过程均值 10.02，标准差 0.05，规格上限 10.2，规格下限 9.8，Cpk 是多少？", "cpk", 1.2, None),
    ("规格 10 ± 0.2，均值 10.05，标准差 0.04，Cpk 是多少？", "cpk", 1.25, None),
    ("Mean 10.02, standard deviation 0.05, USL 10.2, LSL 9.8 — what's the Cp?", "cp", 0.4 / 0.3, None),
    ("Mean 10.1, standard deviation 0.05, USL 10.4: what is the Cpk?", "cpk", 2.0, None),
    ("投诉从 50 降到 30，下降了百分之多少？", "change", -40.0,
     "按你给的数字：变化率 = (30 − 50) ÷ 50 = -40.0%，即下降 40.0%。"),
    ("Complaints fell from 50 to 30. By what percent did they drop?", "change", -40.0, None),
    ("合格率从 90% 升到 95%，提高了百分之多少？", "change", 5 / 90 * 100, None),
    ("严重度 8，频度 4，探测度 6，RPN 是多少？", "rpn", 192.0, "按你给的数字：RPN = 8 × 4 × 6 = 192。"),
    ("Severity 7, occurrence 3, detection 5: what is the RPN?", "rpn", 105.0, None),
    ("S=8, O=4, D=6, RPN?", "rpn", 192.0, None),
]

NEGATIVES = [
    "What did Toyota's 1978 book say about quality circles?",
    "丰田 1978 年出版的书讲了什么？",
    "How is the return rate calculated?",  # no numbers
    "退货率怎么计算？",
    "CSAT 做到多少才算好？比如 4、5 分占比要到多少？",  # the survey's score points, not two counts
    "What is DPMO?",
    "退货率 3% 算高吗？",  # one figure, asked about, not for
    "We had 12 complaints in 2023, what's the complaint rate?",  # the total is missing; 2023 is a year
    "NPS 是多少？我们有 120 个推荐者",  # detractors and respondents missing
    "Cpk 1.33 算合格吗？",
    "Mean 10, USL 11, LSL 9: what's the Cpk?",  # no standard deviation
    "Our defect rate went from 5% to 3% after the 8D project, what caused it?",  # figures for another purpose
    "ISO 9001 2015 版对不良率有什么要求？",
    "3 个班组，8D 报告 12 份，RPN 怎么算？",
    "Severity 12, occurrence 4, detection 6: what is the RPN?",  # off the 1-10 scale
    "退货 500 件，发货 300 件，退货率是多少？",  # more returned than shipped
]

ZERO_DIVISORS = [
    "发货 0 件，退货 0 件，退货率是多少？",
    "投诉从 0 升到 30，上升了百分之多少？",
    "Mean 10, standard deviation 0, USL 11, LSL 9: what's the Cpk?",
    "We found 0 defects in 0 units with 5 opportunities each, what's the DPMO?",
    "0 respondents, 0 promoters and 0 detractors: what is the NPS?",
]


@pytest.mark.parametrize(("question", "metric", "value", "sentence"), CASES)
def test_each_metric_in_both_languages(question, metric, value, sentence):
    language = detect_language(question)
    computed = compute(question, language)
    assert computed is not None, question
    assert computed.metric == metric
    assert computed.value == pytest.approx(value, abs=1e-3)
    text = computed.text(language)
    assert text.startswith("按你给的数字：" if language == "zh" else "From your figures: ")
    if sentence:
        assert text == sentence


def test_sigma_level_says_it_includes_the_shift():
    computed = compute("DPMO 3.4, what sigma level is that?", "en")
    assert computed.value == pytest.approx(6.0, abs=1e-3)
    assert "1.5σ shift" in computed.text("en")
    assert "1.5σ 偏移" in compute("DPMO 为 3.4，西格玛水平是多少？", "zh").text("zh")


@pytest.mark.parametrize("question", NEGATIVES + ZERO_DIVISORS)
def test_questions_that_do_not_give_every_input_are_left_alone(question):
    assert compute(question, detect_language(question)) is None


def test_computed_dict_names_inputs_and_formula():
    data = compute("We shipped 8,000 units and 120 were returned — what's our return rate?", "en").to_dict("en")
    assert data["inputs"] == {"returned": 120, "shipped": 8000}
    assert data["formula"] == "return rate = returned ÷ shipped × 100%"
    assert (data["value"], data["unit"]) == (1.5, "%")


def test_ask_leads_with_the_computed_sentence(small_kb):
    question = "We shipped 8,000 units and 120 were returned — what's our return rate?"
    plain = small_kb.ask("What is the return rate?")
    parts = list(small_kb.stream(question))
    answer = parts[-1]
    assert parts[0] == "From your figures: return rate = 120 ÷ 8,000 = 1.5%.\n\n"
    assert answer.answer.startswith(parts[0])
    assert answer.computed["value"] == 1.5 and answer.computed["explained"] is (plain.answer_status != "refused")
    assert answer.grounding.unsupported == []  # the computed sentence is no passage's claim
    assert answer.computed["text"] not in " ".join(answer.grounding.unsupported)
    assert small_kb.ask("How is the Net Promoter Score calculated?").computed is None


def test_refused_explanation_still_answers_with_the_value(small_kb):
    answer = small_kb.ask("严重度 8，频度 4，探测度 6，RPN 是多少？")
    assert answer.answer == "按你给的数字：RPN = 8 × 4 × 6 = 192。\n\n知识库中没有找到对这一指标的说明。"
    assert (answer.answer_status, answer.refused, answer.computed["explained"]) == ("answered", False, False)
    assert answer.grounding.supported_ratio is None


def test_eval_claims_leave_the_computed_sentence_out():
    sentence = "From your figures: return rate = 120 ÷ 8,000 = 1.5%."
    quote = "Return rate is the share of units sold that customers send back"
    cited = Answer("q", "q", "en", f"{sentence}\n\n{quote} [1].", False, "extractive",
                   [Citation(1, "s.md", "T", None, "", "c1", quote)],
                   computed={"text": sentence, "explained": True})
    assert answer_claims(cited) == {"claims": 1, "supported": 1, "citations": 1, "good_citations": 1,
                                    "cited_supported": 1}
    alone = Answer("q", "q", "en", f"{sentence}\n\nThe knowledge base has no explanation of this metric.", False,
                   "extractive", computed={"text": sentence, "explained": False})
    assert answer_claims(alone)["claims"] == 0


def test_ask_json_carries_computed(small_kb, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("QCA_DATA_DIR", str(small_kb.settings.data_dir))
    monkeypatch.setenv("QCA_EMBEDDING_MODEL", "hash")
    result = CliRunner().invoke(app, ["ask", "投诉从 50 降到 30，下降了百分之多少？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["computed"]["metric"] == "change" and data["computed"]["value"] == -40.0
    assert data["answer"].startswith("按你给的数字：变化率 = (30 − 50) ÷ 50 = -40.0%")
