"""What every answer backend returns, and the fixed texts of answers that are not (wholly) answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.models import Hit

REFUSAL = {"zh": "知识库中没有找到相关依据。", "en": "The knowledge base has no evidence for this."}
# A partial answer: the knowledge base has the topic but not the asked fact.
PARTIAL = {"zh": "资料介绍了{topic}，但没有提到{missing}。",
           "en": "The knowledge base covers {topic}, but it does not give {missing}."}
UNNAMED_MISSING = {"zh": "这个问题问到的具体内容", "en": "what this question asks for"}
RELATED = {"zh": "相关内容：", "en": "Related:"}


@dataclass
class Composition:
    text: str  # the checked sentences, each with its [n]
    status: str  # answered | partial | refused
    cited: dict[int, Hit]  # citation number -> passage
    notes: list[str] = field(default_factory=list)
    backend: str = "extractive"
    preamble: str = ""  # shown before the text and not checked: what a partial answer says is missing

    @property
    def refused(self) -> bool:
        """Kept for consumers that know only answered / not answered: a partial answer is not an answer."""
        return self.status != "answered"

    @property
    def shown(self) -> str:
        return f"{self.preamble} {self.text}".strip() if self.preamble else self.text


def refusal(language: str, backend: str = "extractive") -> Composition:
    return Composition(REFUSAL[language], "refused", {}, backend=backend)
