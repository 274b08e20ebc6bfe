"""What a question asks for: its answer type (definition, calculation, procedure …) from cue words in both
languages, and the character bigrams that let a Chinese question meet a sentence despite typos or other
word splits. The cues only describe the question; the learned reader decides what they are worth."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from assistant.text import CJK, detect_language

# In priority order: the first type whose cues match shapes the answer; every match is a reader feature.
QTYPE_CUES: dict[str, str] = {
    "calculation": r"怎么算|咋算|如何计算|怎么计算|怎样计算|计算方法|计算公式|公式|算法|怎么得出|折算|相当于|"
                   r"how (?:is|are|do (?:you|we|i)|to|does one|should we) (?:\w+ ){0,3}(?:calculat|comput|measur)|"
                   r"formula|calculat|comput",
    "comparison": r"区别|差别|差异|不同|相比|对比|比较|异同|哪个好|\bvs\.?\b|versus|difference|differ|compare|"
                  r"\bor\b.*\bwhich\b|better than",
    "quantity": r"多少|几个|几项|几条|几种|几年|几天|几次|几成|几级|几分|几件|第几|多久|多长|哪一年|哪年|何时|"
                r"什么时候|日期|哪天|哪一天|比例|百分之|幅度|降了|升了|提高了|下降了|谁|哪位|提出人|哪个标准|"
                r"哪个条款|how (?:many|much|long|often)|what (?:percentage|share|proportion|year)|by how much|"
                r"\bwhen\b|(?-i:\b[Ww]ho\b)|which year|\bfigures?\b|\bnumbers?\b|\brate\b|minimum|maximum|\busual\b",
    "procedure": r"步骤|流程|怎么做|如何做|怎样做|如何开展|如何实施|怎么实施|怎么推行|怎么开展|第一步|先做什么|"
                 r"下一步|环节|阶段|怎么组|怎么处理|如何处理|要怎么|怎么控制|怎么运作|哪几块|哪几步|分哪几|"
                 r"包括哪些|包含哪些|哪些事|做些什么|做什么|how (?:to|do (?:i|we|you)|should (?:i|we)|does)|"
                 r"steps?\b|process for|procedure|phases?|stages?|in order\b|what (?:comes|happens) (?:first|next)",
    "cause": r"为什么|为何|为啥|啥原因|怎么会|咋会|原因|导致|造成|引起|起因|后果|影响|什么结果|什么问题|\bwhy\b|"
             r"cause|reason|lead to|led to|because|due to|what went wrong|what happens|consequence|effect of",
    "definition": r"是什么|什么是|指什么|啥是|啥意思|什么意思|含义|定义|是指|代表什么|全称|意思|"
                  r"\bwhat(?: is|'s| are)\b|\bdefin|\bmeaning\b|stand for|stands for|\bmean\b",
    "example": r"例子|案例|举例|举个|比如|例如|实例|典型|哪家|哪些企业|\bexamples?\b|\bcases?\b|instance|"
               r"case study|who (?:did|has)",
    "recommendation": r"建议|应该|怎么办|咋办|咋整|该咋|如何改进|如何提升|如何提高|怎么提升|怎么改进|措施|策略|对策|"
                      r"注意什么|有必要|要不要|该不该|行不行|能不能|还能用|做法|从哪些方面|从哪(?:儿|里)?(?:入手|开始|着手)|"
                      r"(?:如何|怎样|怎么|咋)(?:才能|通过|来)?.{0,12}?(?:减少|降低|避免|防止|保证|确保|提升|提高|改善|留住|保住)|"
                      r"\bshould\b|recommend|advice|advise|"
                      r"improve|what can (?:we|i) do|how can (?:we|i)|tips?\b|worth|\bneed to\b|required",
}
QTYPES = tuple(QTYPE_CUES)
# The words of the section headings that answer a type, matched on the lexical side of retrieval: strategies sit
# under '改进策略' or 'Recommendations', whose items rarely repeat the question's words ('从哪些方面入手').
SECTION_WORDS = {"recommendation": "改进策略 建议 措施 improvement strategies recommendations lessons"}
# A heading of such a section, matched where an answer's list is chosen ('改进策略', 'Lessons for QC …').
STRATEGY_HEADING = re.compile(r"策略|建议|措施|对策|recommend|strateg|lessons|what to do", re.IGNORECASE)

# Capitalised words that open a sentence or name a month: never part of a person's name.
_NOT_NAMES = ("In|On|At|By|For|From|After|Before|During|Since|Until|The|This|That|These|Its|His|Her|Their|When|"
              "Each|Every|Any|All|Our|Your|One|A|An|"
              "While|With|As|And|But|Of|To|January|February|March|April|May|June|July|August|September|October|"
              "November|December")
# Words that make a figure a level to compare against ('约85%视为"世界级"', 'Kappa大于0.75表示一致性良好'); an
# average only as a level ('行业平均约为'), not the average a score is reported as ('报告平均分').
_LEVEL = (r"(?:行业|市场|全国|全球)平均|平均(?:水平|值|约|为|是|在|大约|大概|达到?)|基准|标杆|世界级|行业水平|"
          r"领先水平|参照|参考值|良好|优秀|average|benchmark|world[- ]class|"
          r"typical(?:ly)?|median|best[- ]in[- ]class|good|excellent|acceptable")
# The kind of value a question asks for, and how such a value is written in a sentence. A sentence that has no
# value of the asked kind (beyond what the question itself says) cannot be the answer.
ANSWER_KINDS: dict[str, tuple[str, str]] = {
    # Cost, price and profit words name a topic as often as they ask ('质量成本分类', '服务利润链', 'compete on
    # price'): they ask for money only beside a 'how much'. 'Fine' means 'all right' unless a determiner makes it
    # a noun ('the FDA fine'); an error budget is time.
    "money": (r"多少钱|花了多少|(?<!error )预算|售价|报价|罚款|赔偿|金额|营收|销售额|(?<!error )budget|\bfines\b|"
              r"\bfined\b|\b(?:the|a|any|what|which)\s+(?:\w+\s+)?fine\b|revenue|dollars?|how much money|"
              r"(?:费用|成本|收入|投资|投入|资金|节省|省了|省下|省|价格|利润)[^，。？?]{0,6}(?:多少|几)|"
              r"(?:多少|几)[^，。？?]{0,4}(?:费用|成本|收入|投资|资金|利润)|what (?:was|is|were) the (?:price|profit)|"
              r"how much\b[^,.?]{0,40}\b(?:costs?|spen[dt]|sav(?:e|ed|ings?)|invest(?:ed|ment)?|sales|price|profit|"
              r"fine)\b",
              # 'million' alone counts devices as often as dollars ('2.5 million phones'): money names its currency.
              r"\d[\d,.]*\s*(?:(?:million|billion|thousand)\s+)?(?:元|万元|亿元|美元|万美元|亿美元|欧元|英镑|日元|"
              r"dollars?|usd|rmb|euros?|yen|pounds)|[$€£¥]\s?\d"),
    "date": (r"哪一?年|哪天|哪一天|什么时候|何时|日期|几月|年份|\bwhen (?:did|was|were|has|had)\b|what year|"
             r"which year|what date|since when|in what year",
             r"(?<!\d)(?:19|20)\d\d(?!\d)|\d{1,2}\s*月|january|february|march|april|june|july|august|september|"
             r"october|november|december"),
    "duration": (r"多久|多长时间|多长|几天|几周|几个月|几年|多少(?:个?工作日|天|周|个月|年|小时|分钟)|期限|周期|时限|"
                 r"how long|deadline|duration|"
                 r"how many (?:days|hours|weeks|months|years)|how often|多久一次|"
                 # a keyword query ending on a time unit asks a duration in it ('Black Belt training length weeks')
                 r"\b(?:days|hours|weeks|months|years)\s*[?？]?\s*$",
                 r"\d+(?:\.\d+)?\s*(?:个)?(?:小时|天|日|周|星期|月|年|分钟|秒|工作日)|"
                 r"\d+(?:\.\d+)?\s*(?:hours?|days?|weeks?|months?|years?|minutes?|seconds?)|每(?:天|周|月|年|班)|"
                 r"daily|weekly|monthly|annually|quarterly"),
    "percent": (r"百分之|百分比|比例|占比|率是多少|率多少|多少%|多少个百分点|"
                r"(?:下降|降低|降|提高|提升|升|增长|增加|减少)了?多少|percent|percentage|what share|proportion|"
                r"by how much",
                r"\d\s*(?:%|％|个百分点|percent)"),
    "person": (r"谁|哪位|什么人|提出人|创始人|发明人|负责人|董事长|总裁|(?-i:\b[Ww]ho(?:se)?\b)|"
               r"which (?:[A-Z]\w+ )?(?:executive|person|manager|officer|engineer|ceo|founder|director|scientist|"
               r"researcher|author)s?\b",
               # Two capitalised words, but not a sentence opening on a date ('In January', 'By March') nor a
               # model ('Galaxy Note 7').
               rf"(?<![A-Za-z])(?!(?:{_NOT_NAMES})\b)[A-Z][a-z]+ (?:[A-Z]\. )?(?!(?:{_NOT_NAMES})\b)"
               r"[A-Z][a-z]+\b(?! ?\d)|"
               r"[\u4e00-\u9fff]{1,4}·[\u4e00-\u9fff]{1,5}|博士|教授|先生|女士"),
    # A clause of a standard: '8.7', '第十条'; a decimal like 1.33 reads the same, so this kind is only a hint.
    "clause": (r"第几条|哪一?条款?|哪个条款|第几章|哪一章|which (?:clause|section)|what clause|clause number",
               r"(?<![\d.:])\d{1,2}(?:\.\d{1,2}){1,3}(?![\d.]|\s*%)|第[\d一二三四五六七八九十]+[条章]|clause \d"),
    # A unit of an organisation: 'which Toyota plant', 'which GE business unit', '哪个事业部'. Written as a name
    # before the unit's word ("PCA's Blakely plant", 'Nuclear Fuel Division'); case-sensitive, as names are.
    "organisation": (r"which (?:[A-Z]\w+ )?(?:plants?|factor(?:y|ies)|sites?|divisions?|business units?|"
                     r"departments?|subsidiar(?:y|ies))\b|哪(?:个|家|一个?)?(?:工厂|厂|事业部|部门|分公司|子公司|车间|基地)",
                     rf"(?<![A-Za-z])(?!(?:{_NOT_NAMES})\b)[A-Z][\w&'’-]+ (?:[A-Z][\w&'’-]+ ){{0,3}}"
                     r"(?:[Pp]lant|[Ff]actory|[Ww]orks|[Ss]ite|[Dd]ivision|[Bb]usiness|[Uu]nit|[Dd]epartment|"
                     r"[Ss]ubsidiary)s?\b|"
                     r"[\u4e00-\u9fff]{2,6}(?:工厂|事业部|分公司|子公司|车间|基地)"),
    # A maker or product: 'which brand or model', 'which airline', 'which software'. Written as a name: a
    # capitalised Latin word that opens no sentence, a model number, or a Chinese name with its company word.
    "maker": (r"哪(?:个|家|一家|种)?(?:品牌|型号|厂商|厂家|供应商|航空公司|公司|软件|工具|系统)|什么(?:品牌|型号|牌子)|"
              r"which (?:[A-Z]\w+ )?(?:brands?|models?|vendors?|suppliers?|airlines?|manufacturers?|compan(?:y|ies)|"
              r"tools?|software|products?|firms?|carriers?)\b|which \w+(?:'s| or )",
              rf"(?<=[\w,;:(（] )(?!(?:{_NOT_NAMES})\b)[A-Z][\w&'’-]*[A-Za-z]|(?<![A-Za-z])[A-Z]{{1,4}}-?\d{{2,}}|"
              r"[\u4e00-\u9fff]{2,8}(?:公司|集团|航空|品牌)"),
    # A benchmark: what level is usual or good ('NPS 平均水平', 'is 80% a good CSAT?'). Written as a level word
    # beside a figure ('行业平均约为', 'world-class is 3.4 DPMO', '1.33 以上'); a figure alone may be any case's.
    "benchmark": (r"平均水平|行业平均|平均(?:是|为|大概|一般)?多少|基准|标杆|benchmark|"
                  r"多少[^，。？?]{0,10}(?:才算|(?<![计核换估])算(?![法式]))|算(?:好|高|低|达标|合格|正常|通过)|"
                  r"合格线|正常水平|什么水平|industry average|"
                  r"\b(?:a )?good (?:score|number|value|level|rate|target)\b|"
                  r"considered (?:good|high|low|normal|acceptable)|what(?:'s| is) (?:a )?(?:good|normal|typical)\b",
                  rf"(?:{_LEVEL})[^。.;；!?！？]{{0,24}}\d|\d[^。.;；!?！？\d]{{0,12}}(?:{_LEVEL}|以上|以下|为佳|即可|"
                  r"or (?:more|higher|better|above|less|lower))"),
    # '第几条' asks which one, not how many.
    "count": (r"多少(?:个|家|台|件|名|人|次|项|条|种|起|例|款)|(?<!第)几(?:个|家|台|件|名|人|次|项|条|种|起|例)|"
              r"how many|number of",
              # Any figure but a year: 'In October 2016' counts nothing ('how many phones were recalled').
              r"(?<![\d.])(?!(?:19|20)\d\d(?!\d))\d|[一二三四五六七八九十两]+(?:个|家|台|件|名|人|次|项|条|种|起|例|步|类)|"
              r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?)\b"),
}
# Names are told by their capitals, so those patterns are case-sensitive.
_NAMED_KINDS = ("person", "organisation", "maker")
_KIND_RES = {kind: (re.compile(asked, re.IGNORECASE),
                    re.compile(written, 0 if kind in _NAMED_KINDS else re.IGNORECASE))
             for kind, (asked, written) in ANSWER_KINDS.items()}
_CUE_RES = {qtype: re.compile(pattern, re.IGNORECASE) for qtype, pattern in QTYPE_CUES.items()}
_CJK_RUN = re.compile(f"[{CJK}]+")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# Any figure asked for, whatever its unit: '权重设多少', '多少工时', 'how many items'.
_NUMBER_ASKED = re.compile(r"多少|几[个次年天周月项条种家名人台件步类]|how many|how much|"
                           r"what (?:percentage|share|number|proportion)", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
# The unit a figure is asked in: '多少学时', '几级', '多少 mAh', 'how many volts'. Only a unit of measure: the
# word after '多少' is as often a verb ('从多少降到', '多少才算') or a classifier any count uses ('个', '项'), which
# the count kind covers, and a time unit is one of many a duration is written in ('几天' is answered by '72小时').
_UNIT_ASKED = re.compile(r"(?:多少|几)\s*([A-Za-z]+|学时|工时|千伏|伏|兆欧|欧|毫克|千克|公斤|克|吨|毫米|厘米|米|"
                         r"毫升|升|瓦|度|级|倍|批次|批|页|人次|分)|"
                         r"\bhow (?:many|much) (volts?|kv|ohms?|mm|cm|kg|mg|grams?|ppm|dpmo|mah|db|grms)\b|"
                         # a keyword query ending on a unit asks a figure in it ('Note 7 battery capacity mAh')
                         r"\b(volts?|kv|ohms?|mm|kg|mg|ppm|dpmo|mah|db|grms)\s*[?？]?\s*$",
                         re.IGNORECASE)
_WRITTEN_NUMBER = r"(?:\d[\d,.]*|[一二三四五六七八九十百千万两半]+)\s*(?:个)?"


@dataclass(frozen=True)
class Question:
    """A standalone question, analysed once per request."""

    text: str

    @cached_property
    def language(self) -> str:
        return detect_language(self.text)

    @cached_property
    def cues(self) -> dict[str, bool]:
        return {qtype: bool(cue.search(self.text)) for qtype, cue in _CUE_RES.items()}

    @cached_property
    def qtype(self) -> str:
        """The answer type that shapes the answer; 'definition' when no cue speaks (a bare topic asks what it is)."""
        return next((qtype for qtype, hit in self.cues.items() if hit), "definition")

    @property
    def section_words(self) -> str:
        return SECTION_WORDS.get(self.qtype, "")

    @cached_property
    def answer_kinds(self) -> tuple[str, ...]:
        """The kinds of value asked for: money, date, duration, percent, person, clause, organisation, benchmark,
        count (often none)."""
        return tuple(kind for kind, (asked, _) in _KIND_RES.items() if asked.search(self.text))

    def values_of_kind(self, sentence: str) -> bool:
        """Whether the sentence has a value of an asked kind that the question does not already state."""
        for kind in self.answer_kinds:
            written = _KIND_RES[kind][1]
            stated = {m.group(0) for m in written.finditer(self.text)}
            if {m.group(0) for m in written.finditer(sentence)} - stated:
                return True
        return False

    @cached_property
    def asks_number(self) -> bool:
        return bool(_NUMBER_ASKED.search(self.text))

    @cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(_NUMBER_RE.findall(self.text))

    def has_new_number(self, sentence: str) -> bool:
        """Whether the sentence has a number the question does not already state; a year counts only when a date
        is asked ('1987年' does not answer '培训预算花了多少钱')."""
        found = set(_NUMBER_RE.findall(sentence)) - self.numbers
        if "date" not in self.answer_kinds:
            found -= set(_YEAR_RE.findall(sentence))
        return bool(found)

    @cached_property
    def asked_unit(self) -> re.Pattern[str] | None:
        """A figure in the unit the question asks for ('16学时', '8 hours'), when it names one."""
        found = _UNIT_ASKED.search(self.text)
        unit = next((g for g in found.groups() if g), None) if found else None
        if not unit:
            return None
        written = re.escape(unit[:-1] if unit.isascii() and unit.lower().endswith("s") else unit)
        return re.compile(_WRITTEN_NUMBER + written, re.IGNORECASE)

    def states_asked_unit(self, sentence: str) -> bool:
        return bool(self.asked_unit and self.asked_unit.search(sentence))

    @cached_property
    def years(self) -> frozenset[str]:
        return frozenset(_YEAR_RE.findall(self.text))

    @cached_property
    def bigrams(self) -> frozenset[str]:
        return cjk_bigrams(self.text)


def cjk_bigrams(text: str) -> frozenset[str]:
    """Overlapping character pairs of every Chinese run: '控制图' -> {'控制', '制图'}."""
    return frozenset(run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1))


def years_in(text: str) -> frozenset[str]:
    return frozenset(_YEAR_RE.findall(text))
