"""Language, sentence and token rules shared by ingest, retrieval, generation and grounding."""

from __future__ import annotations

import re
from functools import lru_cache

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9+#&/-]*")
# A sentence ends at Chinese/English end punctuation (an English period only before space or end,
# so decimals like 1.5% and abbreviations inside words survive), or at a line break.
_SENTENCE_END_RE = re.compile(f"(?<=[。！？；!?])\\s*|(?<=[.])\\s+(?=[A-Z0-9\"'(\\[“])|(?<=[.])\\s*(?=[{CJK}])|\\n+")
SENTENCE_ENDS = "。！？；.!?;"
APPROXIMATE_CHARS_PER_EXTRA_PIECE = 40
CACHED_LANGUAGE_CHARS = 4000  # a passage's length, and well under a document's
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN_OK_RE = re.compile(f"[{CJK}A-Za-z0-9]")
_LATIN_WORD_RE = re.compile(r"[a-z0-9]+")
_LIST_NUMBER_RE = re.compile(r"^\s*\d{1,2}[.)]\s+")
_LIST_MARK_RE = re.compile(r"^\s*(?:[-*+•]|\d+[.)、]|[（(]?[一二三四五六七八九十]+[)）、.])\s+")

STOPWORDS = frozenset(
    """
    the a an of to in on for and or is are was were be been being by with as at from that this these
    those it its into than then there their them they we you your our can could should would will may
    might do does did how what which who whom why when where about over under more most less least much
    many very also any all each such not no yes if so but too per via vs i me my he she his her have has
    had s t total exactly roughly really today currently actually usually typically use used using get
    got make made way kind type good best main one two up down out off
    的 了 是 在 和 与 及 或 而 就 都 也 把 被 让 对 从 为 以 于 之 其 这 那 这些
    那些 一个 一种 什么 怎么 怎样 如何 哪些 哪个 多少 吗 呢 吧 啊 呀 有 没有 要 会 能
    可以 可 将 等 中 上 下 里 个 并 又 还 即 由 该 各 每 我们 你们 他们 它们 我 你
    他 她 它 请 问 说 是否 为什么 有什么 是什么 什么样 做 进行 通过 使用 如果 因为 所以
    但 但是 并且 或者 哪几 几个 哪几个 哪种 哪类 哪些方面 一般 通常 一下 一些 那个 这个
    那家 这家 用 最后 到底 具体 大概 大约 比较 怎么样 多久 多长 多大 何时 哪年 哪一年
    哪天 分别 其中 还是 时候 的时候 应该 需要 主要 现在 目前 已经 如何做
    哪 几类 几种 哪几类 哪几种 分成 分为
    """.split()
)


def cjk_count(text: str) -> int:
    return len(_CJK_RE.findall(text))


def detect_language(text: str) -> str:
    """'zh' when Chinese characters outweigh English words, else 'en'. Short texts are cached: the reader asks
    it of the same candidate sentences and passages many times per question (whole documents are not kept)."""
    return _cached_language(text) if len(text) <= CACHED_LANGUAGE_CHARS else _language(text)


@lru_cache(maxsize=4096)
def _cached_language(text: str) -> str:
    return _language(text)


def _language(text: str) -> str:
    cjk = cjk_count(text)
    # Acronyms and short names (SPC, Cpk, 8D, IATF) appear in both languages; they do not decide.
    words = [w for w in WORD_RE.findall(text) if not _is_acronym(w)]
    return "zh" if cjk and cjk > 2 * len(words) else "en"


def _is_acronym(word: str) -> bool:
    capitals = sum(c.isupper() for c in word)
    return any(c.isdigit() for c in word) or capitals >= 2 or (len(word) <= 3 and word[0].isupper())


def approximate_tokens(text: str) -> int:
    """Word pieces without a model's tokenizer: a Chinese character or an English word is about one, plus one
    per 40 characters for the pieces long words split into."""
    return cjk_count(text) + len(WORD_RE.findall(text)) + len(text) // APPROXIMATE_CHARS_PER_EXTRA_PIECE


def split_sentences(text: str) -> list[str]:
    """Chinese and English sentence boundaries (。！？；.!?) and line breaks; a numbered list item keeps its
    number ('1. 从客户投诉…' is one sentence, not '1.' and the rest)."""
    sentences = []
    for line in text.split("\n"):
        number = _LIST_NUMBER_RE.match(line)
        body = line[number.end():] if number else line
        parts = [s.strip() for s in _SENTENCE_END_RE.split(body) if s and s.strip()]
        if number and parts:
            parts[0] = f"{number.group(0).strip()} {parts[0]}"
        sentences += parts
    return sentences


def join_sentences(parts: list[str]) -> str:
    """Sentences joined with a space, except between two Chinese ones."""
    text = ""
    for part in parts:
        between_chinese = not (part[:1].isascii() or text[-1:].isascii())
        text += (" " if text and not between_chinese else "") + part
    return text


def strip_list_marker(sentence: str) -> str:
    """'- text', '1. text', '（一）text' -> 'text'."""
    return _LIST_MARK_RE.sub("", sentence, count=1)


def numbers_in(text: str) -> set[str]:
    """Every number written in the text, normalised (thousands separators removed)."""
    return {n.replace(",", "") for n in _NUMBER_RE.findall(text)}


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    from assistant.glossary import load_glossary

    jieba.setLogLevel(logging.WARNING)
    for term in load_glossary().chinese_terms():
        jieba.add_word(term, freq=20000)
    return jieba


def tokenize(text: str, search: bool = True) -> list[str]:
    """Tokens for BM25 and overlap: jieba with glossary terms as words for Chinese (search mode adds the
    sub-words of long words, for recall), Snowball-stemmed lower-cased words for English."""
    return list(_tokens(text, search))


@lru_cache(maxsize=16384)
def _tokens(text: str, search: bool) -> tuple[str, ...]:
    """Cached: the reader looks at the same sentences and passages many times per question."""
    tokens = []
    jieba = _jieba()
    for raw in jieba.lcut_for_search(text) if search else jieba.lcut(text):
        token = raw.strip().lower()
        if token and token not in STOPWORDS and _TOKEN_OK_RE.search(token):
            tokens.append(_stem(token) if token.isascii() else token)
    return tuple(tokens)


@lru_cache(maxsize=256)
def word_tags(text: str) -> dict[str, str]:
    """jieba's part-of-speech tag of each word of the text, lower-cased ('海尔' nrt, '降低' v, '公司' n); cached, as
    a question's words are looked up one by one (read it, never change it)."""
    import jieba.posseg

    _jieba()  # the glossary's words first, as tokenize() splits them
    return {pair.word.strip().lower(): pair.flag for pair in jieba.posseg.cut(text)}


def latin_tokens(text: str) -> list[str]:
    """tokenize() for plain Latin-script text without jieba (a hundred times faster): for dictionaries."""
    return [_stem(word) for word in _LATIN_WORD_RE.findall(text.lower()) if word not in STOPWORDS]


@lru_cache(maxsize=1)
def tokenizer_key() -> str:
    """A fingerprint of everything tokenize() depends on: this module's rules, the glossary's words (which change
    jieba's splitting) and the versions of jieba and the stemmer. Cached tokens made under another key are stale."""
    import hashlib
    from importlib.metadata import version
    from pathlib import Path

    from assistant.glossary import GLOSSARY_PATH

    digest = hashlib.sha256(Path(__file__).read_bytes() + GLOSSARY_PATH.read_bytes())
    digest.update(f"{version('jieba')}|{version('snowballstemmer')}|{version('PyStemmer')}".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """English words to their Snowball stem, so 'calculated' meets 'calculation' and 'deaths' meets 'death'."""
    if not word.isalpha():
        return word
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")
