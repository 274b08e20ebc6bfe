from assistant.glossary import load_glossary
from assistant.text import detect_language, numbers_in, split_sentences, tokenize


def test_language_detection_follows_the_dominant_script():
    assert detect_language("SPC的控制图有哪些判异规则？") == "zh"
    assert detect_language("What is 净推荐值?") == "en"
    assert detect_language("How is NPS calculated?") == "en"


def test_sentences_split_on_chinese_and_english_marks_but_not_decimals():
    text = "返修率降低了30%。CSAT提升了15%！Cpk should be at least 1.33. Why? Because of drift"
    assert split_sentences(text) == ["返修率降低了30%。", "CSAT提升了15%！", "Cpk should be at least 1.33.",
                                     "Why?", "Because of drift"]


def test_numbers_are_normalised():
    assert numbers_in("recall of 2,500,000 phones, 1.5% and 30%") == {"2500000", "1.5", "30"}


def test_glossary_terms_are_single_tokens_and_stopwords_drop():
    tokens = tokenize("统计过程控制和净推荐值的关系")
    assert "统计过程控制" in tokens and "净推荐值" in tokens
    assert "的" not in tokens and "和" not in tokens


def test_glossary_has_enough_groups_and_expands_across_languages():
    glossary = load_glossary()
    assert len(glossary.groups) >= 150
    assert "净推荐值" in glossary.expand("How is NPS calculated?")
    assert "net promoter score" in [t.lower() for t in glossary.expand("净推荐值怎么计算")]
    # whole-word matching for Latin abbreviations
    assert not any(t == "净推荐值" for t in glossary.expand("snps are genetic markers"))


def test_an_acronym_spelling_a_word_matches_only_as_written():
    glossary = load_glossary()
    assert "世界卫生组织" in glossary.expand("the WHO surgical safety checklist")
    assert not glossary.matching_groups("Who led the study, and when?")
    assert "statistical process control" in glossary.expand("how is spc used")  # other acronyms ignore case


def test_the_substring_prefilter_finds_exactly_what_every_pattern_finds():
    """matching_groups and terms_in skip a pattern whose term is not a substring; on the corpus and on mixed-case
    and acronym text they find what trying every pattern finds."""
    from tests.helpers import ROOT

    glossary = load_glossary()
    texts = [line for path in sorted((ROOT / "corpus").rglob("*.md")) for line in path.read_text("utf-8").split("\n")
             if line.strip()] + ["The WHO checklist, not who did it: SPC、Cpk 与 NPS.", "spc CPK nps"]
    for text in texts:
        every = [(pattern, index) for pattern, as_is, index in glossary._patterns
                 if pattern.search(text if as_is else text.lower())]
        assert glossary.matching_groups(text) == [glossary.groups[i] for i in dict.fromkeys(i for _, i in every)]
        spans = sorted((m.start(), -(m.end() - m.start())) for pattern, as_is, _ in glossary._patterns
                       for m in pattern.finditer(text if as_is else text.lower()))
        assert len(glossary.terms_in(text)) <= len(spans)
        if spans:
            assert text[spans[0][0]:spans[0][0] - spans[0][1]] == glossary.terms_in(text)[0]
