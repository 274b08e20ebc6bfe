"""The reader's parts without the trained model: question types, features, the JSON model format, the answer's
shape and the partial answer's wording, in both languages."""

from dataclasses import replace

import numpy as np
import pytest

from assistant.answering.base import PARTIAL
from assistant.answering.extractive import ExtractiveComposer, missing_words
from assistant.answering.features import Candidate, candidates, is_meta
from assistant.answering.question import Question, cjk_bigrams
from assistant.answering.reader import Reading
from assistant.answering.reader_model import BinaryModel
from assistant.answering.shaping import choose
from assistant.models import Chunk, Hit


@pytest.mark.parametrize("question, qtype", [
    ("PDCA 里的 C 指什么", "definition"), ("What is FMEA?", "definition"),
    ("SPC控制图的UCL咋算", "calculation"), ("How is NPS calculated?", "calculation"),
    ("8D 的步骤有哪些", "procedure"), ("how to start an 8D after a complaint", "procedure"),
    ("投诉率下降了多少？", "quantity"), ("By how much did returns fall?", "quantity"),
    ("为什么三鹿事件影响这么大", "cause"), ("QC 和 QA 的区别", "comparison"),
    ("Give me an example of poka-yoke", "example"), ("物流业该怎么提升满意度，有什么建议", "recommendation"),
    ("Cpk", "definition"),
])
def test_question_types_from_cue_words_in_both_languages(question, qtype):
    assert Question(question).qtype == qtype


def test_texts_read_together_have_the_tokens_of_their_joined_text():
    """The reader unites each text's cached tokens instead of tokenizing every combination of texts it reads."""
    from assistant.answering.terms import _joined_tokens
    from assistant.text import tokenize

    texts = ["质量管理体系 ISO 9001", "控制图UCL计算", "Cpk≥1.33的过程能力", "defects per million", "8D报告",
             "", "抽样检验AQL 0.65", "Lean生产减少浪费。"]
    for start in range(len(texts)):
        group = texts[start:start + 3]
        assert _joined_tokens(group) == (set(tokenize(" ".join(group))), " ".join(group).lower())


def test_chinese_bigrams_meet_despite_other_word_splits():
    assert cjk_bigrams("控制图") == {"控制", "制图"}
    assert cjk_bigrams("SPC控制图 UCL") == {"控制", "制图"}


def _hit(text: str, title: str = "8D 方法", rank_score: float = 1.0) -> Hit:
    return Hit(Chunk(f"id-{abs(hash(text))}", text, "doc.md", title, "zh", section="步骤"), fused_score=rank_score)


def test_candidates_keep_list_items_whole_and_mark_them():
    hit = _hit("8D 按以下步骤进行：\n1. 成立跨职能团队并指定组长。\n2. 描述问题并量化影响范围。\n短。8D由福特推广。")
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
    hits = [_hit("控制图是一种按时间顺序记录过程数据的图。控制图常用于制造业。", title="SPC")]
    defines = _asked_column("控制图是什么？", hits, "defines_question_term")
    assert defines == {"控制图是一种按时间顺序记录过程数据的图。": 1.0, "控制图常用于制造业。": 0.0}


def test_a_fact_is_not_meta():
    assert not is_meta("8D由福特汽车公司推广。") and not is_meta("Returns fell 30% after the change.")


def _reading(question: str, sentences: list[tuple[str, int, bool]], scores: list[float], status="answered"):
    cands = [Candidate(text, rank, pos, listed, "zh") for pos, (text, rank, listed) in enumerate(sentences)]
    return Reading(Question(question), status, cands, np.asarray(scores), support_threshold=0.5)


def test_the_best_sentence_comes_first_and_meta_sentences_never_appear():
    reading = _reading("8D是哪家公司推广的？", [("这是一个示例案例，并非真实企业。", 0, False),
                                              ("8D适合处理反复出现的问题。", 0, False),
                                              ("8D由福特汽车公司推广。", 1, False)], [0.99, 0.6, 0.9])
    chosen = [c.sentence for c in choose(reading, 4, [_hit('a'), _hit('b')])]
    assert chosen[0] == "8D由福特汽车公司推广。" and "这是一个示例案例，并非真实企业。" not in chosen


def test_sentences_alike_but_for_their_figures_are_both_kept():
    reading = _reading("一级、二级召回分别要在多长时间内启动？",
                       [("可能导致严重健康损害的属一级召回，应在24小时内启动。", 0, False),
                        ("可能导致一般健康损害的属二级召回，应在48小时内启动。", 0, False),
                        ("可能导致一般健康损害的属二级召回，应在48小时内启动调查。", 1, False)], [0.9, 0.8, 0.7])
    chosen = [c.sentence for c in choose(reading, 4, [_hit("a"), _hit("b")])]
    assert chosen == ["可能导致严重健康损害的属一级召回，应在24小时内启动。",
                      "可能导致一般健康损害的属二级召回，应在48小时内启动。"]


@pytest.mark.parametrize("following, kept", [
    ("The eight steps were an X-ray check, a TVOC test and a voltage check.", True),
    ("Samsung also delayed the launch of its next phone.", False),
])
def test_the_sentence_after_the_lead_joins_it_when_it_points_back(following, kept):
    cands = [Candidate("Samsung announced an 8-point battery safety check.", 0, 0, False, "en"),
             Candidate(following, 0, 1, False, "en"), Candidate("Other text about batteries.", 1, 0, False, "en")]
    reading = Reading(Question("What checks are in Samsung's battery safety check?"), "answered", cands,
                      np.asarray([0.9, 0.01, 0.5]), support_threshold=0.5)
    chosen = [c.sentence for c in choose(reading, 4, [_hit("a"), _hit("b")])]
    assert chosen[0] == "Samsung announced an 8-point battery safety check." and (following in chosen) == kept
    assert chosen[1] == (following if kept else "Other text about batteries.")


def test_a_procedure_answer_is_the_ordered_list():
    steps = [("准备工作很重要。", 0, False), ("第一步成立团队。", 0, True), ("第二步描述问题。", 0, True),
             ("第三步临时遏制。", 0, True), ("其他说明。", 1, False)]
    reading = _reading("8D 的步骤有哪些", steps, [0.2, 0.5, 0.9, 0.6, 0.1])
    hits = [_hit("8D"), _hit("其他说明。")]
    chosen = [c.sentence for c in choose(reading, 4, hits)]
    assert chosen == ["第一步成立团队。", "第二步描述问题。", "第三步临时遏制。"]


def test_a_list_cut_into_two_overlapping_passages_is_answered_whole_and_in_order():
    first = "HACCP 有七项原则：\n1. 进行危害分析，识别生物性危害。\n2. 确定关键控制点。\n3. 建立关键限值。"
    second = "3. 建立关键限值。\n4. 建立监控程序。\n5. 建立纠偏措施。"
    placed = ((second, 2, "doc.md"), (first, 1, "doc.md"), ("食品安全很重要。", 3, "x.md"))  # the list's end first
    hits = [Hit(replace(_hit(text).chunk, position=position, source=source)) for text, position, source in placed]
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
    chosen = [c.sentence for c in choose(reading, 4, [_hit("a"), _hit("b")])]
    assert chosen[:4] == [s for s, _, _ in sentences[:4]]


def test_a_sentence_without_an_announcement_or_a_list_after_it_stays_alone():
    plain = [("8D由福特汽车公司推广。", 0, False), ("第一步成立团队。", 0, True)]
    assert [c.sentence for c in choose(_reading("8D是谁推广的", plain, [0.9, 0.0]), 4, [_hit("a")])] == [plain[0][0]]
    far = [("指标分为四类。", 0, False), ("其一。", 0, False), ("其二。", 0, False), ("第一项指标。", 0, True)]
    chosen = choose(_reading("指标分几类", far, [0.9, 0.0, 0.0, 0.0]), 4, [_hit("a")])
    assert [c.sentence for c in chosen] == [far[0][0]]


def test_a_list_announcement_ends_its_claim_with_a_full_stop():
    from assistant.answering.grounding import with_marker

    assert with_marker("四项指标：", 1) == "四项指标[1]。"
    assert with_marker("the four metrics are:", 2) == "the four metrics are [2]."


def test_a_partial_answer_says_what_is_missing_and_cites_what_is_there():
    hits = [_hit("福特在1987年推广了8D方法。", title="8D 问题解决法")]
    reading = _reading("福特推广8D的培训预算是多少？", [("福特在1987年推广了8D方法。", 0, False)], [0.4], "partial")
    reading = replace(reading, missing=["培训", "预算"])
    composition = ExtractiveComposer(4).compose(reading, hits, "zh")
    assert composition.status == "partial" and composition.refused
    assert composition.shown.startswith("资料介绍了《8D 问题解决法》，但没有提到培训、预算。")
    assert "[1]" in composition.text and composition.cited[1] is hits[0]
    assert PARTIAL["en"].format(topic="x", missing="y").startswith("The knowledge base covers x")


def test_an_english_partial_answer_reads_as_english():
    hits = [_hit("Motorola launched Six Sigma in 1986.", title="Motorola and Six Sigma")]
    reading = _reading("What was Motorola's training budget?", [("Motorola launched Six Sigma in 1986.", 0, False)],
                       [0.3], "partial")
    composition = ExtractiveComposer(4).compose(replace(reading, missing=["train", "budget"]), hits, "en")
    assert composition.shown.startswith(
        "The knowledge base covers “Motorola and Six Sigma”, but it does not give training, budget. Related:")


def test_a_partial_answer_names_the_document_its_related_sentences_come_from():
    hits = [_hit("PDCA 是计划、执行、检查、处理的循环。", title="PDCA 循环"),
            _hit("灰度发布先把新版本开放给少量用户。", title="SaaS 持续交付案例")]
    sentences = [("PDCA 是计划、执行、检查、处理的循环。", 0, False), ("灰度发布先把新版本开放给少量用户。", 1, False)]
    reading = _reading("灰度发布第一批放量多少用户？", sentences, [0.1, 0.4], "partial")
    composition = ExtractiveComposer(4).compose(replace(reading, missing=["放量"]), hits, "zh")
    assert composition.shown.startswith("资料介绍了《SaaS 持续交付案例》，但没有提到放量。")


def test_missing_words_show_the_words_asked_not_their_stems():
    assert missing_words(["budget", "train"], "What was the training budget?", "en") == "budget, training"


def test_json_models_score_as_scikit_learn_does():
    from evals.reader_fit import Fitted, Spec, _make

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    names = ["best_score", "missing_idf_share", "c", "d"]  # the monotone model holds these two to a direction
    for spec in (Spec("logistic", {"C": 1.0}), Spec("trees", {"n_estimators": 20, "max_depth": 3}),
                 Spec("monotone", {"max_iter": 20, "max_depth": 3})):
        fitted = Fitted(spec, _make(spec, names).fit(x, y), names)
        assert np.allclose(BinaryModel(fitted.export()).probability(x), fitted.scores(x), atol=1e-5)


def test_the_monotone_model_never_lowers_answerability_for_a_better_best_sentence():
    from evals.reader_fit import Fitted, Spec, _make

    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 2))
    y = (np.sin(3 * x[:, 0]) - x[:, 1] + rng.normal(scale=0.3, size=400) > 0).astype(int)  # not monotone in x0
    names = ["best_score", "missing_idf_share"]
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
    ("Which software do people use for FMEA?", ()),
    ("消费电子行业 NPS 平均水平", ("benchmark",)), ("What CSAT is considered good?", ("benchmark",)),
    ("5个为什么问到第三次就停，算不算没做完？", ()), ("DPMO是多少要怎么换算成西格玛水平？", ()),
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


def test_a_sentence_opening_on_a_month_names_no_person():
    asked = Question("Which Samsung executive announced the results?")
    assert not asked.values_of_kind("In January 2017 Samsung presented the results of its investigation.")
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
