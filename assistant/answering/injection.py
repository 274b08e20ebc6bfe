"""Sentences in documents that talk to the assistant instead of about quality: never quoted, never prompted.

A document is data. A sentence that tells "the AI" to ignore its rules, to become someone else, to reveal its
prompt or secrets, or to answer in a fixed way is flagged here, and every place that quotes or prompts with
document sentences leaves it out (`quotable_sentences`); the retrieval debugger shows it as flagged.

Disguises are undone first (look-alike letters, invisible characters, full-width forms, spaced-out letters,
accents, markup, reversed or encoded text). Then rules: each family names a move an attacker must make, in
English and Chinese; ordinary QC imperatives ("ignore the first three cycles after start-up", "忽略首件之前的调机
数据") name no prior instructions, no assistant and no secrets, so they pass. Then a small learned classifier for
the phrasings no rule names. Measured on written sets, one never used to build either: see SECURITY.md."""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from assistant.answering.domain import DomainModel
from assistant.text import split_sentences

# The learned half: tf-idf and logistic regression over the disguise-free words and Chinese character pairs
# (`make train-injection`, evals/train_injection.py), for phrasings no rule names. The threshold was chosen with
# each written set held out in turn (see there); the rules run first and name the move when they can.
CLASSIFIER_PATH = Path(__file__).resolve().parent.parent / "data" / "injection.json"
CLASSIFIER_THRESHOLD = 0.7
LEARNED_FAMILY = "reads like an instruction to the assistant"

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
       r"人工智能|大语言模型|语言模型|大模型|模型|智能助手|智能客服|助手|聊天机器人|机器人)")
# Words that name an AI when a sentence opens by calling it ("Chatbot, …", "智能助手：…"); narrower than _AI, since
# "机器人：2台" or "Model: X-200" are ordinary labels in a QC document.
_ADDRESSEE = (r"(?:(?<![a-z])(?:ai (?:model|assistant|system)s?|large language models?|language models?|llms?|gpt|"
              r"chat ?bots?|assistants?|ai)(?![a-z])|"
              r"人工智能|大语言模型|语言模型|大模型|智能助手|智能客服助手|智能客服|助手|聊天机器人)")
_PRIOR_EN = r"(?:previous|prior|above|earlier|preceding|original|initial|existing|all|any|your|these|the|every)"
_RULES_EN = (r"(?:instructions?|prompts?|rules?|guidelines?|guardrails?|directives?|commands?|orders?|"
             r"constraints?|polic(?:y|ies)|restrictions?|programming|system prompt)")
_RULES_ZH = r"(?:指令|指示|提示词|系统提示|设定|护栏|安全准则|system prompt|instructions?|rules?|prompt)"
_SOFT_RULES_ZH = r"(?:规则|要求|规定|限制|准则|原则|命令)"
_PRIOR_ZH = r"(?:之前|以上|上述|前面|先前|原有|原来|所有|全部|你的|你收到|此前|一切)"
# What only an AI system has: asked for by name, or as "your …", it is an attempt to read the system out.
_AI_OWNED_EN = (r"(?:system prompt|initial prompt|original prompt|hidden (?:rules|instructions|prompt)|"
                r"(?:initial|original|first|very first) (?:message|instructions)|guardrails|content polic(?:y|ies)|"
                r"developer'?s? (?:guidelines|instructions|rules)|environment variables|api keys?)")
_AI_OWNED_ZH = (r"(?:系统提示|提示词|初始指令|原始指令|原始设定|初始设定|隐藏的?规则|开发者消息|第一条消息|访问凭证|"
                r"工具名称|接口地址|安全策略|安全检查|安全审查|安全准则)")
_SECRETS = (rf"(?:{_AI_OWNED_EN}|your (?:\w+ )?(?:prompt|instructions|rules|configuration|guidelines)|"
            rf"passwords?|credentials?|tokens|secrets?|configuration|{_AI_OWNED_ZH}|配置|密钥|密码|口令|令牌|凭证)")
_SECRET_VERBS = (r"(?:print|reveal|show|output|display|repeat|disclos|leak|share|dump|list|send|give me|tell me|"
                 r"provide|copy|translate|append|输出|显示|透露|告诉我|打印|泄露|发给我|发送|给出|列出|公开|复述)")
# "Never share your password", "不得向外部透露图纸和密码": a prohibition in front of the request is policy, not attack.
_NEGATION = re.compile(r"\b(?:never|not|don'?t|cannot|no)\b|不得|不要|禁止|切勿|严禁|不可|不能|勿")
_NEGATION_REACH = 14  # characters before a match that are read for a prohibition

# One family per move an injected sentence makes (the name is what the debugger shows); alternatives in English,
# then Chinese.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "overrides earlier instructions": (
        rf"\b(?:ignore|disregard|forget|override|overrule|bypass|set aside|stop following|do not follow|"
        rf"no longer follow)\w*\b[^.;!?]{{0,40}}?\b{_PRIOR_EN}\b[^.;!?]{{0,30}}?\b{_RULES_EN}",
        r"\b(?:ignore|disregard|forget) (?:everything |all )?(?:the )?above\b",
        r"\b(?:ignore|disregard)\w* (?:the )?(?:retrieved|user'?s)\b",
        rf"\b{_PRIOR_EN}\b[^.]{{0,30}}\b{_RULES_EN}\b[^.]{{0,12}}\b(?:void|null|invalid|suspended|revoked)",
        r"\b(?:skip|disable|bypass|turn off)\w* (?:your |all |the )?(?:safety|security|content) (?:checks?|filter\w*)",
        r"\b(?:content (?:policy|filtering)|safety checks?|guardrails)\b[^.]{0,20}"
        r"\b(?:suspended|disabled|lifted|off)\b",
        r"\btakes? precedence over (?:any|all|your) (?:guidance|instructions|rules)",
        r"\b(?:instructions|guidance|rules|prompt)s? you (?:received|were given)\b",
        rf"(?:忽略|忽视|无视|忘记|忘掉|抛开|抛弃|不要理会|不用理会|别管|绕过|推翻|停止遵守|不再遵守|不要遵守|撇开)"
        rf"(?:[^。！？；]{{0,10}}{_RULES_ZH}|[^。！？；]{{0,12}}{_PRIOR_ZH}[^。！？；]{{0,8}}{_SOFT_RULES_ZH}"
        rf"|用户的?(?:提问|问题)|\s*(?:all |any |the )?(?:previous|prior|above|earlier)\b)",
        r"(?:上述|以上|之前|先前)[^。]{0,8}(?:规则|指令|指示|设定|内容)[^。]{0,6}(?:失效|作废|无效|不再适用)",
        r"跳过(?:你的|所有的?)?安全(?:检查|审查|审核|过滤)|优先级高于[^。]{0,12}(?:开发者|原始设定|系统提示|你的)",
        rf"你收到的[^。]{{0,6}}(?:消息|指令|指示|提示)|你的(?:{_AI_OWNED_ZH}|策略|设定)",
    ),
    "changes the assistant's role": (
        r"\byou are now\b", r"\bfrom now on,? you (?:are|will|only|must only)\b",
        r"\broleplay as\b", r"\byour (?:new )?(?:identity|persona) is\b",
        r"\b(?:unfiltered|unrestricted|jailbr\w+|developer mode|maintenance mode|god mode|no content restrictions)\b",
        r"\byour (?:new|updated|only|real) (?:instructions?|orders?|task|operator|rules|role|identity|job|purpose)\b",
        r"你现在是|你现在只|从现在(?:起|开始)[，,]?你|你(?:现在)?的身份(?:是|已)|你的新(?:任务|身份|角色)",
        r"你的(?:身份|角色)已(?:变|切换|更|改)|假装(?:你是|成)|你已(?:切换|进入|被)|(?:开发者|调试|维护|越狱)模式",
        r"(?:不受|没有)(?:任何)?限制的",
    ),
    "asks for secrets or the prompt": (
        rf"{_SECRET_VERBS}\w*[^.;。；]{{0,40}}?{_SECRETS}",
        r"\byou (?:can|could) access\b|\byou have access to\b",
        rf"\byour (?:actual |real |full |entire |hidden |initial |original )?{_AI_OWNED_EN}",
        rf"你(?:能|可以)?(?:访问|获取|知道|掌握)[^。]{{0,8}}{_SECRETS}",
    ),
    "speaks to the assistant": (
        rf"^(?:attention|note|dear|hey|hello|hi)?[,，:：]?\s*{_ADDRESSEE}\s*(?:[,:：，!！]|须知|请注意|注意)",
        rf"{_AI}(?:须知|请注意)",
        rf"\b(?:dear|hey|hello|hi|attention|note (?:to|for)|message (?:to|for)|instructions? (?:to|for))[,，]? "
        rf"(?:the |any |all )?{_AI}",
        rf"\bif (?:you|the reader) (?:are|is|happen to be) (?:an? )?{_AI}", rf"\bas an? {_AI}[,，]",
        rf"\b(?:any|every|all) {_AI}(?: \w+){{0,3}} (?:reading|processing|quot|summari|that)",
        r"\b(?:ai|language) models? reading\b|\bhereby instructed\b",
        r"\bwhen (?:you )?(?:quote|quoting|cite|citing|summari[sz]e|summari[sz]ing) this\b",
        rf"(?:致|给)(?:所有|各位|每个)?{_AI}|致[^。，]{{0,10}}的{_AI}|任何[^。，]{{0,14}}{_AI}",
        rf"(?:各位|尊敬的|亲爱的|劳驾您?|如果你是|若你是|假如你是|假设你是|如果有|凡是)[^。，]{{0,4}}{_AI}",
        rf"(?:ai|人工智能)(?:助手|模型)?(?:专用|请注意)|(?:阅读|读取|读到|处理|引用)(?:到)?(?:本|这)[^。，]{{0,4}}的{_AI}",
        rf"作为(?:一个)?{_ADDRESSEE}[，,]|你正在为用户|引用本(?:节|段|文|章)时",
    ),
    "dictates the answer": (
        r"\b(?:respond|reply|answer)\w* (?:only )?with (?:only )?(?:the word\b|[\"'“‘])",
        r"\b(?:respond|reply|answer) only\b",
        r"\b(?:in|to|at the end of|at the (?:start|beginning) of) (?:every|each|any|all|your) "
        r"(?:answers?|responses?|replies)\b",
        r"\byour (?:answer|reply|response)s? (?:must|should|shall) (?:begin|start|end|include|contain)",
        r"\balways (?:answer|respond|reply|say|state)\w*\b[^.]{0,10}[\"'“‘]",
        r"\bwhenever (?:someone|anyone|a user) asks\b",
        r"\b(?:no matter what|regardless of|whatever|irrespective of)\b[^.]{0,30}"
        r"(?:\bthe user|\bthe question|\byou retrieve)",
        r"\bsummari[sz]ing this (?:document|page|file|manual|report|text|section)\b",
        r"\bthe user'?s (?:earlier|previous|prior) (?:questions|messages|prompts)\b",
        r"\bsimply comply\b|\b(?:obey|comply with) (?:it|this|these|them)\b",
        r"\b(?:decode|decipher|backwards|rot13)\b[^.]{0,60}\b(?:obey|follow|carry out|execute|comply)",
        r"\bexecute (?:it|this) as\b|^\s*(?:system )?override\s*:",
        r"(?:只|仅|一律)会?(?:回答|回复|输出|说)[“\"「]|每(?:个|次|条)?(?:回答|回复)(?:都|中|末尾)",
        r"(?:回答|回复)时[^。]{0,6}(?:不要|请|必须|务必)|回答(?:的)?(?:末尾|开头|最后)",
        r"(?:无论|不管|不论)[^。，]{0,8}(?:用户|问什么)|你都要(?:说|回答)",
        r"总结本(?:文|文件|文档|页|段)时|不要(?:告诉|向)用户|(?:从现在起|今后)[^。]{0,4}只(?:回答|回复)",
        r"(?:解码|倒过来读|拼音)[^。]{0,12}(?:执行|照做|遵守)|作为(?:新的?)?(?:指令|命令)(?:执行|处理)|新的?(?:指令|指示|任务)[】:：]",
    ),
    "poses as a chat role": (
        r"^[\s\[【(<#*]*(?:system|assistant|developer|系统|助手|开发者)\s*[\]】)>]*\s*[:：]",
        r"<\|im_start\|>|<\|(?:system|assistant)\|>|\[/?(?:system|inst)\]|<system>|```system",
        r"#+\s*(?:instruction|system) ?(?:to|for|message|prompt|:)|\binstruction to (?:the )?model\b",
        r"[【\[]\s*(?:system|系统|developer|开发者)[^】\]]{0,6}[】\]]",
        r"(?:^|\n)\s*(?:user|用户)\s*[:：][^\n]*\n\s*(?:assistant|助手|ai)\s*[:：]",  # a made-up transcript
    ),
}
RULES: dict[str, re.Pattern] = {name: re.compile("|".join(alts)) for name, alts in _FAMILIES.items()}
_PROHIBITABLE = {"asks for secrets or the prompt"}


def _matches(name: str, reading: str) -> bool:
    for match in RULES[name].finditer(reading):
        before = reading[max(0, match.start() - _NEGATION_REACH):match.start()]
        if name not in _PROHIBITABLE or not _NEGATION.search(before):
            return True
    return False


def normalise(text: str) -> str:
    """The text as a filter should read it: disguises undone, lower case (markup kept: it can pose as a role)."""
    text = unicodedata.normalize("NFKC", _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    text = "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) not in ("Cf", "Mn", "Me"))  # invisible characters and accents
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES).lower()
    text = _JOINED_LETTERS.sub(lambda m: re.sub(r"[\-._]", "", m.group(0)), text)
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return re.sub(r"[ \t]+", " ", _CJK_GAP.sub("", text))


def classifier_text(text: str) -> str:
    """The normalised text without its markup: what the learned classifier reads, in training and in use."""
    return normalise(_MARKUP.sub(" ", normalise(text)).replace("_", " "))


def _readings(text: str) -> list[str]:
    """The normalised text with and without its markup, and what it says reversed, in ROT13 and in any base64 it
    carries."""
    unmarked = classifier_text(text)
    readings = [normalise(text), unmarked, unmarked[::-1], codecs.encode(unmarked, "rot13")]
    for blob in _BASE64.findall(text):
        try:
            readings.append(normalise(base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8")))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
    return readings


@lru_cache(maxsize=1)
def _classifier() -> DomainModel:
    return DomainModel(json.loads(CLASSIFIER_PATH.read_text(encoding="utf-8")))


@lru_cache(maxsize=8192)
def instruction_rule(sentence: str) -> str | None:
    """The family of the first rule the sentence matches, the learned family when the classifier is sure, or None
    for an ordinary sentence."""
    for reading in _readings(sentence):
        for name in RULES:
            if _matches(name, reading):
                return name
    if _classifier().probability(classifier_text(sentence)) > CLASSIFIER_THRESHOLD:
        return LEARNED_FAMILY
    return None


def quotable_sentences(text: str) -> list[str]:
    """The text's sentences without instruction-like ones: what may be quoted as an answer or sent to a model."""
    return [s for s in split_sentences(text) if instruction_rule(s) is None]


def flagged_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, rule family) for each instruction-like sentence of the text."""
    return [(s, rule) for s in split_sentences(text) if (rule := instruction_rule(s))]
