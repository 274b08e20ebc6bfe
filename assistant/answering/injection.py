"""Sentences in documents that talk to the assistant instead of about quality: never quoted, never prompted.

A document is data. A sentence that tells "the AI" to ignore its rules, to become someone else, to reveal its
prompt or secrets, or to answer in a fixed way is flagged here, and every place that quotes or prompts with
document sentences leaves it out (`quotable_sentences`); the retrieval debugger shows it as flagged.

Rules, not a trained model: each family names a move an attacker must make, in English and Chinese, so it holds
for wordings we have not seen. Disguises are undone first (look-alike letters, invisible characters, full-width
forms, spaced-out letters, accents, markup, reversed or encoded text). Ordinary QC imperatives ("ignore the
first three cycles after start-up", "忽略首件之前的调机数据") name no prior instructions, no assistant and no
secrets, so they pass. Measured on evals/datasets/security/injections_dev.jsonl (built on) and the blind
tests/data/injections_blind.jsonl (only measured): see SECURITY.md."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from functools import lru_cache

from assistant.text import split_sentences

# Cyrillic and Greek letters that look like Latin ones, as used to slip "іgnore" past a filter.
_LOOKALIKES = str.maketrans("аеорсухіјѕԁһӏвкмнтАЕОРСУХІЈЅВКМНТαεορτυνικβγχΑΕΟΡΤΥΝΙΚΒΧ",
                            "aeopcyxijsdhlbkmhtAEOPCYXIJSBKMHTaeoptuvikbyxAEOPTYNIKBX")
_JOINED_LETTERS = re.compile(r"(?<![\w])(?:\w[\-._]){2,}\w(?![\w])")  # i-g-n-o-r-e
_SPACED_LETTERS = re.compile(r"(?<!\w )(?<!\w)(?:\w ){2,}\w(?![\w])")  # i g n o r e   a l l
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])")
_MARKUP = re.compile(r"<!--|-->|<[^>]{0,80}>|\[//\]: # |`{3}|\*\*|__")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

_AI = (r"(?:(?<![a-z])(?:ai (?:model|assistant|system)s?|automated assistants?|large language models?|"
       r"language models?|llms?|gpt|chat ?bots?|assistants?|bots?|models?|a\.i\.|ai)(?![a-z])|"
       r"人工智能|语言模型|大模型|模型|助手|机器人)")
_PRIOR_EN = r"(?:previous|prior|above|earlier|preceding|original|initial|existing|all|any|your|these|the|every)"
_RULES_EN = (r"(?:instructions?|prompts?|rules?|guidelines?|guardrails?|directives?|commands?|orders?|"
             r"constraints?|polic(?:y|ies)|restrictions?|programming|system prompt)")
_RULES_ZH = r"(?:指令|指示|提示词|系统提示|设定|护栏|安全准则|system prompt|instructions?|rules?|prompt)"
_SOFT_RULES_ZH = r"(?:规则|要求|规定|限制|准则|原则|命令)"
_PRIOR_ZH = r"(?:之前|以上|上述|前面|先前|原有|原来|所有|全部|你的|你收到|此前|一切)"
_SECRETS = (r"(?:system prompt|initial prompt|original prompt|hidden (?:rules|instructions|prompt)|"
            r"your (?:prompt|instructions|rules|configuration|guidelines)|api keys?|passwords?|credentials?|"
            r"tokens|secrets?|environment variables|configuration|系统提示|提示词|隐藏的?规则|系统消息|"
            r"开发者消息|配置|密钥|密码|口令|令牌)")
_SECRET_VERBS = (r"(?:print|reveal|show|output|display|repeat|disclos|leak|share|dump|list|send|give me|tell me|"
                 r"provide|copy|translate|append|输出|显示|透露|告诉我|打印|泄露|发给我|发送|给出|列出|公开|复述)")

# One family per move an injected sentence makes (the name is what the debugger shows); alternatives in English,
# then Chinese.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "overrides earlier instructions": (
        rf"\b(?:ignore|disregard|forget|override|overrule|bypass|set aside|stop following|do not follow|"
        rf"no longer follow)\w*\b[^.;!?]{{0,40}}?\b{_PRIOR_EN}\b[^.;!?]{{0,30}}?\b{_RULES_EN}",
        r"\b(?:ignore|disregard|forget) (?:everything |all )?(?:the )?above\b",
        r"\b(?:ignore|disregard)\w* (?:the )?(?:retrieved|user'?s)\b",
        rf"(?:忽略|忽视|无视|忘记|忘掉|抛开|抛弃|不要理会|不用理会|别管|绕过|推翻|停止遵守|不再遵守|不要遵守|撇开)"
        rf"(?:[^。！？；]{{0,10}}{_RULES_ZH}|[^。！？；]{{0,12}}{_PRIOR_ZH}[^。！？；]{{0,8}}{_SOFT_RULES_ZH}"
        rf"|用户的?(?:提问|问题)|\s*(?:all |any |the )?(?:previous|prior|above|earlier)\b)",
        r"(?:上述|以上|之前|先前)[^。]{0,8}(?:规则|指令|指示|设定|内容)[^。]{0,6}(?:失效|作废|无效|不再适用)",
    ),
    "changes the assistant's role": (
        r"\byou are now\b", r"\bfrom now on,? you (?:are|will|only|must only)\b", r"\bpretend (?:to be|you)\b",
        r"\b(?:pretend|imagine) (?:that )?you are\b", r"\broleplay as\b", r"\byour (?:new )?(?:identity|persona) is\b",
        r"\b(?:unfiltered|unrestricted|jailbr\w+|developer mode|maintenance mode|god mode|no content restrictions)\b",
        r"\byour (?:new|updated|only|real) (?:instructions?|orders?|task|operator|rules|role|identity|job|purpose)\b",
        r"你现在是|你现在只|从现在(?:起|开始)[，,]?你|你的(?:新)?(?:身份|角色)(?:已|是|变|为)|你的新(?:任务|身份|角色)",
        r"(?:请|你|现在)扮演|假装(?:你是|成)|你已(?:切换|进入|被)|(?:开发者|调试|维护|越狱)模式|(?:不受|没有)(?:任何)?限制的",
    ),
    "asks for secrets or the prompt": (
        rf"{_SECRET_VERBS}\w*[^.;。；]{{0,40}}?{_SECRETS}",
        r"\byou (?:can|could) access\b|\byou have access to\b",
        rf"你(?:能|可以)?(?:访问|获取|知道|掌握)[^。]{{0,8}}{_SECRETS}",
    ),
    "speaks to the assistant": (
        rf"\b(?:dear|hey|hello|hi|attention|note (?:to|for)|message (?:to|for)|instructions? (?:to|for)) "
        rf"(?:the |any |all )?{_AI}",
        rf"\bif you (?:are|happen to be) (?:an? )?{_AI}",
        rf"\b(?:any|every|all) {_AI}(?: \w+){{0,3}} (?:reading|processing|quot|summari|that)",
        r"\b(?:ai|language) models? reading\b|\bhereby instructed\b",
        rf"(?:致|给)(?:所有|各位|每个)?{_AI}|(?:各位|尊敬的|亲爱的|劳驾您?|如果你是|若你是|如果有|凡是)[^。，]{{0,4}}{_AI}",
        rf"(?:ai|人工智能)(?:助手|模型)?(?:专用|请注意)|(?:阅读|读取|读到|处理|引用)(?:到)?(?:本|这)[^。，]{{0,4}}的{_AI}",
    ),
    "dictates the answer": (
        r"\b(?:respond|reply|answer)\w* (?:only )?with (?:only )?(?:the word\b|[\"'“‘])",
        r"\b(?:respond|reply|answer) only\b",
        r"\b(?:in|to|at the end of) (?:every|each|any|all) (?:answers?|responses?|replies)\b",
        r"\balways (?:answer|respond|reply|say|state)\w*\b[^.]{0,10}[\"'“‘]",
        r"\bwhenever (?:someone|anyone|a user) asks\b",
        r"\bsummari[sz]ing this (?:document|page|file|manual|report|text|section)\b",
        r"\bthe user'?s (?:earlier|previous|prior) (?:questions|messages|prompts)\b",
        r"\bsimply comply\b|\b(?:obey|comply with) (?:it|this|these|them)\b",
        r"\b(?:decode|decipher|backwards|rot13)\b[^.]{0,60}\b(?:obey|follow|carry out|execute|comply)",
        r"\bexecute (?:it|this) as\b|^\s*(?:system )?override\s*:",
        r"(?:只|仅|一律)会?(?:回答|回复|输出|说)[“\"「]|在每(?:个|次|条)?(?:回答|回复)|(?:回答|回复)时[^。]{0,6}(?:不要|请|必须|务必)",
        r"总结本(?:文|文件|文档|页|段)时|不要(?:告诉|向)用户|(?:从现在起|今后)[^。]{0,4}只(?:回答|回复)",
        r"(?:解码|倒过来读|拼音)[^。]{0,12}(?:执行|照做|遵守)|作为(?:新的?)?(?:指令|命令)(?:执行|处理)|新的?(?:指令|指示|任务)[】:：]",
    ),
    "poses as a chat role": (
        r"^[\s\[【(<#*]*(?:system|assistant|developer|系统|助手|开发者)\s*[\]】)>]*\s*[:：]",
        r"<\|im_start\|>|<\|(?:system|assistant)\|>|\[/?(?:system|inst)\]|<system>|```system",
        r"#+\s*(?:instruction|system) ?(?:to|for|message|prompt|:)|\binstruction to (?:the )?model\b",
        r"[【\[]\s*(?:system|系统|developer|开发者)[^】\]]{0,6}[】\]]",
    ),
}
RULES: dict[str, re.Pattern] = {name: re.compile("|".join(alts)) for name, alts in _FAMILIES.items()}


def normalise(text: str) -> str:
    """The text as a filter should read it: disguises undone, lower case (markup kept: it can pose as a role)."""
    text = unicodedata.normalize("NFKC", _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    text = "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) not in ("Cf", "Mn", "Me"))  # invisible characters and accents
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES).lower()
    text = _JOINED_LETTERS.sub(lambda m: re.sub(r"[\-._]", "", m.group(0)), text)
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return re.sub(r"[ \t]+", " ", _CJK_GAP.sub("", text))


def _readings(text: str) -> list[str]:
    """The normalised text with and without its markup, and what it says reversed, in ROT13 and in any base64 it
    carries."""
    plain = normalise(text)
    unmarked = normalise(_MARKUP.sub(" ", plain))
    readings = [plain, unmarked, unmarked[::-1], codecs.encode(unmarked, "rot13")]
    for blob in _BASE64.findall(text):
        try:
            readings.append(normalise(base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8")))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
    return readings


@lru_cache(maxsize=8192)
def instruction_rule(sentence: str) -> str | None:
    """The family of the first rule the sentence matches, or None for an ordinary sentence."""
    for reading in _readings(sentence):
        for name, rule in RULES.items():
            if rule.search(reading):
                return name
    return None


def quotable_sentences(text: str) -> list[str]:
    """The text's sentences without instruction-like ones: what may be quoted as an answer or sent to a model."""
    return [s for s in split_sentences(text) if instruction_rule(s) is None]


def flagged_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, rule family) for each instruction-like sentence of the text."""
    return [(s, rule) for s in split_sentences(text) if (rule := instruction_rule(s))]
