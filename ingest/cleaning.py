"""Text cleaning: repair PDF line breaks and drop web boilerplate."""

from __future__ import annotations

import re

from assistant.text import CJK

# PDF layout breaks lines in the middle of Chinese words: a single line break inside a Chinese sentence is
# not a break. After a sentence end (。！？) the break may be a paragraph end, so it stays.
_CJK_LINEBREAK_RE = re.compile(f"(?<=[{CJK}，、：（《「“])[ \\t]*\\n[ \\t]*(?=[{CJK}，。、；：！？）》」”])")
_HYPHEN_BREAK_RE = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_LATIN_LINEBREAK_RE = re.compile(r"(?<=[A-Za-z0-9,;])[ \t]*\n[ \t]*(?=[a-z0-9(])")

# Everything after one of these headings is a "related articles" list, not content.
_TRAILER_RE = re.compile(
    r"^\s*(相关推荐|相关文章|猜你喜欢|热门推荐|延伸阅读|related (articles|posts)|you may also like)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_BOILERPLATE_LINE_RE = re.compile(
    r"(原创文章|如若转载|转载请注明|版权所有|all rights reserved|^\s*上一篇|^\s*下一篇|^\s*\(\d+\)\s*$|^\s*\d+\s*$"
    r"|^\s*\d+(小时|分钟|天)前\s*$|^\s*\d{4}年\d{1,2}月\d{1,2}日\s*(上午|下午)?[\d:]*\s*$)",
    re.IGNORECASE,
)
_STRAY_MARKUP_RE = re.compile(r"^\s*[“\"]?`{1,3}\w*.*$")
# Generator sign-offs left inside an article's last paragraph; only the sentence goes, not the line.
_SIGN_OFF_RE = re.compile(r"(文章已按照您的需求生成完成|如需进一步调整)[^。！\n]*[。！]?")


def join_broken_lines(text: str) -> str:
    """Undo layout line breaks inside Chinese text and hyphenated or wrapped English lines."""
    text = _CJK_LINEBREAK_RE.sub("", text)
    text = _HYPHEN_BREAK_RE.sub("", text)
    return _LATIN_LINEBREAK_RE.sub(" ", text)


def drop_boilerplate(text: str) -> str:
    """Cut trailing 'related articles' lists, reprint footers, navigation and stray markup lines."""
    trailer = _TRAILER_RE.search(text)
    if trailer:
        text = text[: trailer.start()]
    text = _SIGN_OFF_RE.sub("", text)
    kept = [line for line in text.splitlines()
            if not _BOILERPLATE_LINE_RE.search(line) and not _STRAY_MARKUP_RE.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def clean_text(text: str, *, reflow: bool) -> str:
    """Normalise whitespace, optionally repair layout line breaks, and remove boilerplate."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u3000", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = drop_boilerplate(text)  # line by line, so before lines are joined
    return join_broken_lines(text) if reflow else text
