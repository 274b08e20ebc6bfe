"""The reader's parts without the trained model: question types, features, asked kinds of value and the JSON
model format, in both languages (the answer's shape: test_answer_shaping.py)."""

import numpy as np
import pytest

from assistant.answering.features import candidates, is_meta
from assistant.answering.question import Question, cjk_bigrams
from assistant.answering.reader_model import BinaryModel
from assistant.models import Chunk, Hit
from tests.helpers import passage_hit


@pytest.mark.parametrize("question, qtype", [
    ("PDCA 里的 C 指什么", "definition"), ("What is FMEA?", "definition"),
    ("SPC控制图的UCL咋算", "calculation"), ("How is NPS calculated?", "calculation"),
    ("8D 的步骤有哪些", "procedure"), ("how to start an 8D after a complaint", "procedure"),
    ("投诉率下降了多少？", "quantity"), ("By how much did returns fall?", "quantity"),
    ("为什么三鹿事件影响这么大", "cause"), ("QC 和 QA 的区别", "comparison"),
    ("Give me an example of poka-yoke", "example"), ("物流业该怎么提升满意度，有什么建议", "recommendation"),
    ("Cpk", "definition"), ("制造企业想降低返修率，可以从哪些方面入手？", "recommendation"),
    ("SaaS公司怎样通过质量管理降低客户流失？", "recommendation"),
])
def test_question_types_from_cue_words_in_both_languages(question, qtype):
    assert Question(question).qtype == qtype


def test_a_recommendation_asks_for_the_words_of_a_strategy_heading():
    """Strategies sit under '改进策略' or 'Recommendations'; retrieval adds those words to the lexical query."""
    assert "策略" in Question("制造企业想降低返修率，可以从哪些方面入手？").section_words
    assert Question("8D 的步骤有哪些").section_words == ""


def test_texts_read_together_have_the_tokens_of_their_joined_text():
    """The reader unites each text's cached tokens instead of tokenizing every combination of texts it reads."""
    from assistant.answering.terms import _joined_tokens
    from assistant.text import tokenize

    texts = ["质量管理体系 ISO 9001", "控制图UCL计算", "Cpk≥1.33的过程能力", "defects per million", "8D报告",
             "", "抽样检验AQL 0.65", "Lean生产减少浪费。"]
    for start in range(len(texts)):
        group = texts[start:start + 3]
        joined = " ".join(group)
        assert _joined_tokens(group) == (set(tokenize(joined)), joined.lower(), joined)


@pytest.mark.parametrize("question, text, present", [
    ("服务补救里的 LEARN 每个字母代表什么？", "Record the lessons learned after each failure.", False),
    ("服务补救里的 LEARN 每个字母代表什么？", "酒店常用 LEARN 模型处理投诉。", True),
    ("How is HCAHPS reported?", "Hcahps scores are public.", True),  # capitalised at the start of a sentence
    ("Which KPI matters most?", "Track three KPIs weekly.", True),
    ("WHAT IS LEAN", "lean production removes waste", True),  # a question in capitals names no acronym
])
def test_an_acronym_counts_only_as_written_in_capitals(question, text, present):
    from assistant.answering.terms import QuestionTerms
    from assistant.retrieval.lexical import TermCounts
    from assistant.text import tokenize

    terms = QuestionTerms(question, TermCounts([tokenize(text)]))
    acronym = next(t for t in terms.tokens if t in ("learn", "hcahp", "kpi", "lean"))
    assert (acronym not in terms.missing([text])) == present


def test_a_letter_asked_about_and_the_words_asking_are_no_terms():
    from assistant.answering.terms import QuestionTerms
    from assistant.retrieval.lexical import TermCounts

    counts = TermCounts([["pdca", "检查"]])
    assert QuestionTerms("PDCA 里的 C 指什么", counts).tokens == ["pdca"]
    assert QuestionTerms("How many hospitals took part?", counts).tokens == ["hospit", "part"]


def test_chinese_bigrams_meet_despite_other_word_splits():
    assert cjk_bigrams("控制图") == {"控制", "制图"}
    assert cjk_bigrams("SPC控制图 UCL") == {"控制", "制图"}


def test_candidates_keep_list_items_whole_and_mark_them():
    hit = passage_hit("8D 按以下步骤进行：\n1. 成立跨职能团队并指定组长。\n2. 描述问题并量化影响范围。"
                      "\n短。8D由福特推广。")
    found = candidates([hit])  # a lead-in without end mark and a fragment are not answers
    assert [c.sentence for c in found] == ["成立跨职能团队并指定组长。", "描述问题并量化影响范围。", "8D由福特推广。"]
    assert [c.list_item for c in found] == [True, True, False]
    assert [c.position for c in found] == [0, 1, 2]


@pytest.mark.parametrize("sentence", ["本案例为示例，数字来自种子材料。", "This case is illustrative and fictional.",
                                      "When citing, distinguish the two kinds of figure."])
def test_sentences_about_the_document_are_meta(sentence):
    assert is_meta(sentence)


def _asked_column(question: str, hits: list[Hit], name: str) -> dict[str, float]:
    """One of the reader's features for every candidate sentence of the hits, by sentence."""
    from assistant.answering.features import FEATURE_NAMES, sentence_features
    from assistant.answering.terms import QuestionTerms
    from assistant.retrieval.lexical import TermCounts
    from assistant.text import tokenize

    terms = QuestionTerms(question, TermCounts([tokenize(h.chunk.indexed_text) for h in hits]))
    cands = candidates(hits)
    rows = sentence_features(Question(question), terms, hits, cands)
    return {c.sentence: float(rows[i, FEATURE_NAMES.index(name)]) for i, c in enumerate(cands)}


@pytest.mark.parametrize("question, topic_sentence, answer_sentence", [
    ("福特8D的培训周期是多久？", "福特汽车公司在1987年推广了8D方法。", "当时每期培训周期为五天，覆盖全部供应商。"),
    ("How long was Ford's 8D training course?", "Ford promoted the 8D method in 1987.",
     "Each training course lasted five days for every supplier."),
])
def test_the_asked_attribute_points_past_the_topic_sentence(question, topic_sentence, answer_sentence):
    hits = [Hit(Chunk("c1", f"{topic_sentence}{' ' if question.isascii() else ''}{answer_sentence}", "ford.md",
                      "Ford 8D 福特", "en" if question.isascii() else "zh", section="8D"))]
    coverage = _asked_column(question, hits, "attribute_coverage")
    assert coverage[answer_sentence] > coverage[topic_sentence] == 0.0


def test_a_sentence_defining_a_question_term_is_marked():
    hits = [passage_hit("控制图是一种按时间顺序记录过程数据的图。控制图常用于制造业。", title="SPC")]
    defines = _asked_column("控制图是什么？", hits, "defines_question_term")
    assert defines == {"控制图是一种按时间顺序记录过程数据的图。": 1.0, "控制图常用于制造业。": 0.0}
    hits = [passage_hit("PDCA 循环是计划、执行、检查、处理四个阶段组成的方法。推行 PDCA 并不难。", title="PDCA")]
    defines = _asked_column("PDCA 里的 C 指什么", hits, "defines_question_term")  # a plain '是' right after the term
    assert defines == {"PDCA 循环是计划、执行、检查、处理四个阶段组成的方法。": 1.0, "推行 PDCA 并不难。": 0.0}


def test_a_fact_is_not_meta():
    assert not is_meta("8D由福特汽车公司推广。") and not is_meta("Returns fell 30% after the change.")


def test_json_models_score_as_scikit_learn_does():
    from evals.reader_fit import Fitted, Spec, _make

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    names = ["best_score", "needed_missing_share", "c", "d"]  # the monotone model holds these two to a direction
    for spec in (Spec("logistic", {"C": 1.0}), Spec("trees", {"n_estimators": 20, "max_depth": 3}),
                 Spec("monotone", {"max_iter": 20, "max_depth": 3})):
        fitted = Fitted(spec, _make(spec, names).fit(x, y), names)
        assert np.allclose(BinaryModel(fitted.export()).probability(x), fitted.scores(x), atol=1e-5)


def test_the_monotone_model_never_lowers_answerability_for_a_better_best_sentence():
    from evals.reader_fit import Fitted, Spec, _make

    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 2))
    y = (np.sin(3 * x[:, 0]) - x[:, 1] + rng.normal(scale=0.3, size=400) > 0).astype(int)  # not monotone in x0
    names = ["best_score", "needed_missing_share"]
    model = BinaryModel(Fitted(Spec("monotone", {"max_iter": 50}), _make(Spec("monotone"), names).fit(x, y),
                               names).export())
    grid = np.column_stack([np.linspace(-3, 3, 200), np.zeros(200)])
    assert np.all(np.diff(model.probability(grid)) >= -1e-12)
    missing = np.column_stack([np.zeros(200), np.linspace(-3, 3, 200)])
    assert np.all(np.diff(model.probability(missing)) <= 1e-12)


@pytest.mark.parametrize("question, kinds", [
    ("福特当年推行8D，培训预算花了多少钱？", ("money",)), ("How much did the recall cost?", ("money",)),
    ("返工成本降了多少？", ("money", "percent")), ("When was ISO 9001 first published?", ("date",)),
    # a cost or a 'when' that names the topic asks for no value
    ("质量成本 COQ 分类", ()), ("测量系统不可靠会怎么影响成本？", ()), ("When should I use a fishbone diagram?", ()),
    ("我们的 error budget 烧光了怎么办？", ()), ("Cp looks fine, so why do customers complain?", ()),
    ("服务利润链怎么用？", ()), ("We can only compete on price. What else matters?", ()),
    ("罚款多少？", ("money",)), ("How much profit did the plan add?", ("money",)),
    ("How large was the FDA fine?", ("money",)), ("系统一共投入了多少资金？", ("money",)),
    ("How much does FDA usually fine a device maker?", ("money",)), ("Our data looks fine. Why complain?", ()),
    ("培训一个黑带要多少周？", ("duration",)), ("Which Samsung executive announced the results?", ("person",)),
    ("Which software do people use for FMEA?", ("maker",)),  # a product's name, as 'which brand' asks
    ("料盒传感器推荐用哪个品牌或型号？", ("maker",)), ("Which airline's parked plane was it?", ("maker",)),
    ("GE Black Belt training length weeks", ("duration",)),  # a keyword query ending on its unit
    ("消费电子行业 NPS 平均水平", ("benchmark",)), ("What CSAT is considered good?", ("benchmark",)),
    ("5个为什么问到第三次就停，算不算没做完？", ()), ("DPMO是多少要怎么换算成西格玛水平？", ()),
    ("ISO 9001 的纠正措施在第几条？", ("clause",)),  # which one, not how many
    ("Which Toyota plant first used poka-yoke?", ("organisation",)), ("海尔哪个事业部先推行的？", ("organisation",)),
])
def test_the_asked_kind_of_value_is_told_from_a_topic_word(question, kinds):
    assert Question(question).answer_kinds == kinds


@pytest.mark.parametrize("question, sentence, stated", [
    ("QC培训 一线操作员 每年 多少学时", "一线操作员每年接受不少于 16 学时的质量培训。", True),
    ("QC培训 一线操作员 每年 多少学时", "当均值连续 8 点偏向下侧时，操作员调整了灌装阀。", False),  # not hours
    ("这种情况属于几级召回？", "标签存在虚假标注的属三级召回。", True),
    ("Note 7 电池容量 多少 mAh", "The Galaxy Note 7 launched in August 2016.", False),
    ("At how many volts does a person feel a discharge?", "A person feels a discharge from about 3,000 volts.", True),
    ("多少 Grms 的振动？", "振动加到 30 Grms。", True),
    ("Note 7 battery capacity mAh", "The phone used a lithium-ion battery of relatively high capacity.", False),
    ("Note 7 battery capacity mAh", "Its battery held 3,500 mAh.", True),  # a keyword query ending on its unit
])
def test_a_figure_counts_only_in_the_unit_the_question_asks_for(question, sentence, stated):
    assert Question(question).states_asked_unit(sentence) == stated


def test_a_count_or_a_bare_how_much_names_no_unit():
    assert Question("8D 分几个阶段？").asked_unit is None
    assert Question("罚款多少？").asked_unit is None
    assert Question("How much money was lost?").asked_unit is None
    # a verb after '多少' and a time unit (a duration is written in many) name none either
    assert Question("MTTR 从多少降到了多少？").asked_unit is None
    assert Question("Kappa 到多少才算合格？").asked_unit is None
    assert Question("8D 报告要在几天内提交？").asked_unit is None
    assert Question("How many hours of training does an operator get?").asked_unit is None


def test_money_names_its_currency_and_millions_of_devices_are_no_money():
    asked = Question("三星因为Note 7召回，一共损失了多少钱？")
    assert not asked.values_of_kind("The recall covered about 2.5 million devices.")
    assert asked.values_of_kind("The recall cost about 5.3 billion dollars.")
    assert asked.values_of_kind("召回损失约 170 亿美元。") and asked.values_of_kind("It cost $5 billion.")


def test_a_sentence_opening_on_a_month_or_naming_a_model_names_no_person():
    asked = Question("Which Samsung executive announced the results?")
    assert not asked.values_of_kind("In January 2017 Samsung presented the results of its investigation.")
    assert not asked.values_of_kind("Samsung ended the Galaxy Note 7 permanently.")
    assert Question("Who developed poka-yoke?").values_of_kind("It was developed by Shigeo Shingo at Toyota.")


def _necessity(assistant, question: str) -> dict[str, float]:
    from assistant.answering.reader import load_reader
    from assistant.answering.terms import QuestionTerms

    return load_reader().necessity.of(QuestionTerms(question, assistant.searcher("default").lexical))


def test_chatty_words_are_not_needed_in_an_answer_and_the_asked_attribute_is(corpus_assistant):
    chatty = _necessity(corpus_assistant, "诶，老板想知道 8D 到底是干嘛的啊")
    assert max(chatty["诶"], chatty["老板"], chatty["想"], chatty["干嘛"]) < 0.1 < 0.9 < chatty["8d"]
    english = _necessity(corpus_assistant, "hey quick q, how is the RPN of an FMEA calculated?")
    assert max(english["hey"], english["quick"]) < 0.1 < 0.9 < min(english["rpn"], english["fmea"])
    budget = _necessity(corpus_assistant, "8D 培训预算花了多少钱")
    assert budget["预算"] > budget["花"] and budget["预算"] > budget["多少钱"]


@pytest.mark.parametrize("sentence, stated", [
    ("业内常把约85%视为“世界级”OEE 的参照。", True), ("Kappa大于0.75表示一致性良好。", True),
    ("A typical world-class level is 3.4 DPMO.", True),
    ("引入系统后客户投诉减少了25%，净推荐值提升了20分。", False),  # a case's figures are no benchmark
    ("按5分制打分，也有企业直接报告平均分。", False),  # an average reported, not an average level
    ("家电行业平均约为40分。", True),
])
def test_a_benchmark_is_a_figure_beside_a_level_word(sentence, stated):
    assert Question("这个指标多少算好？").values_of_kind(sentence) == stated


def test_a_year_answers_only_a_question_asking_for_a_date():
    founding = "1987年，福特在培训中系统介绍了这一方法。"
    assert not Question("福特推行8D，培训预算花了多少钱？").has_new_number(founding)
    assert Question("福特是哪一年开始推行8D的？").has_new_number(founding)
    assert Question("培训花了多少钱？").has_new_number("1987年的培训花了200万美元。")
    assert not Question("1987年的培训花了多少钱？").has_new_number("1987年，福特开始培训。")


def test_a_year_is_no_count():
    asked = Question("Galaxy Note 7 recall how many phones")
    assert not asked.values_of_kind("In October 2016 Samsung stopped production.")
    assert asked.values_of_kind("Samsung recalled about 2.5 million phones.")
    assert Question("How many hospitals took part?").values_of_kind("It ran in eight hospitals.")  # in words


@pytest.mark.parametrize("sentence, stated", [
    ("Poka-yoke devices were first fitted at Toyota's Honsha plant.", True),
    ("Westinghouse's Commercial Nuclear Fuel Division won the award in 1988.", True),
    ("Toyota developed poka-yoke devices in the 1960s.", False),
    ("Each plant kept its own records.", False),  # a plant, but none named
])
def test_an_organisation_unit_is_a_name_before_the_units_word(sentence, stated):
    assert Question("Which Toyota plant first used poka-yoke?").values_of_kind(sentence) == stated


def test_a_clause_asked_is_a_clause_number_stated():
    asked = Question("Which clause of ISO 9001 covers corrective action?")
    assert asked.answer_kinds == ("clause",)
    assert asked.values_of_kind("Clause 10.2 covers nonconformity and corrective action.")
    assert not Question("ISO 9000:2015 里质量控制的定义在第几条款？").values_of_kind("ISO 9000:2015 定义了质量控制。")


def test_the_monotone_answerability_model_is_kept_unless_clearly_beaten():
    from evals.reader_fit import CANDIDATES, MONOTONE_MARGIN, MONOTONE_SPEC, QUESTION_CANDIDATES, choose

    results = {spec.name: 0.90 for spec in QUESTION_CANDIDATES}
    results[CANDIDATES[2].name] = 0.90 + MONOTONE_MARGIN / 2
    assert choose(results, QUESTION_CANDIDATES) == MONOTONE_SPEC
    results[CANDIDATES[2].name] = 0.90 + 2 * MONOTONE_MARGIN
    assert choose(results, QUESTION_CANDIDATES) == CANDIDATES[2]
    assert choose({s.name: 0.5 for s in CANDIDATES}, CANDIDATES) == CANDIDATES[0]  # sentence models: the simplest


def test_the_logistic_sentence_scorer_is_kept_unless_clearly_beaten():
    from evals.reader_fit import CANDIDATES, SIMPLEST_MARGIN, choose

    results = {spec.name: 0.55 for spec in CANDIDATES}
    results[CANDIDATES[1].name] = 0.55 + SIMPLEST_MARGIN / 2  # one dev question better: noise
    assert choose(results, CANDIDATES) == CANDIDATES[0]
    results[CANDIDATES[1].name] = 0.55 + 2 * SIMPLEST_MARGIN
    assert choose(results, CANDIDATES) == CANDIDATES[1]


@pytest.mark.parametrize("follow_up, topic, on_topic, off_topic", [
    ("那它的计算公式是什么？", "净推荐值 NPS", ("NPS 指标", "NPS 的计算公式是推荐者占比减去贬损者占比。"),
     ("OEE 指标", "OEE 的计算公式为可用率乘以性能率乘以合格品率。")),
    ("What survey scale does it use?", "Net Promoter Score", ("NPS", "The Net Promoter Score survey uses a "
                                                               "0-10 scale."),
     ("CSAT", "A CSAT survey often uses a five-point scale.")),
])
def test_a_follow_up_is_answered_only_on_the_carried_topic(follow_up, topic, on_topic, off_topic):
    """The user's own words count in a passage about the topic carried from before, not in another one."""
    from assistant.answering.features import FEATURE_NAMES, sentence_features
    from assistant.answering.terms import QuestionTerms
    from assistant.retrieval.lexical import TermCounts
    from assistant.text import tokenize

    lang = "en" if follow_up.isascii() else "zh"
    hits = [Hit(Chunk(f"c{i}", text, f"{title}.md", title, lang, section=title))
            for i, (title, text) in enumerate([on_topic, off_topic])]
    filler = [tokenize(t) for t in ("控制图用于监控过程。", "Control charts monitor a process.", "FMEA ranks risks.")]
    counts = TermCounts([tokenize(h.chunk.indexed_text) for h in hits] + filler)  # so every term has an idf
    standalone = f"{topic} {follow_up}"
    cands = candidates(hits)
    rows = sentence_features(Question(standalone), QuestionTerms(standalone, counts), hits, cands,
                             QuestionTerms(follow_up, counts))
    column = {c.sentence: float(rows[i, FEATURE_NAMES.index("coverage_last_turn")]) for i, c in enumerate(cands)}
    assert column[on_topic[1]] > 0 and column[off_topic[1]] == 0.0


def test_the_support_share_prefers_more_facts_when_dev_cannot_tell():
    from types import SimpleNamespace

    from evals.reader_fit import choose_support

    exact = [SimpleNamespace(gold_retrieved=True, labels=np.asarray([1, 0])) for _ in range(199)]
    one_extra = SimpleNamespace(gold_retrieved=True, labels=np.asarray([1, 0]))
    scores = [np.asarray([1.0, 0.0])] * 199 + [np.asarray([1.0, 0.07])]
    # 0.05 adds one wrong sentence in 200 questions (F2 0.999 against 1.0): noise, so the lower share is kept
    assert choose_support(exact + [one_extra], scores, 6) == (0.05, 0.999)
    # a real loss is not
    scores = [np.asarray([1.0, 0.07])] * 200
    assert choose_support(exact + [one_extra], scores, 6)[0] == 0.1
    # no question with its gold retrieved: the best sentence alone
    assert choose_support([SimpleNamespace(gold_retrieved=False, labels=np.asarray([0]))], [np.ones(1)], 6) == \
        (1.0, 0.0)
