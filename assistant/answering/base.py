"""What every answer backend returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.models import Hit

REFUSAL = {"zh": "知识库中没有找到相关依据。", "en": "The knowledge base has no evidence for this."}


@dataclass
class Composition:
    text: str
    refused: bool
    cited: dict[int, Hit]  # citation number -> passage
    notes: list[str] = field(default_factory=list)
    backend: str = "extractive"


def refusal(language: str, backend: str = "extractive") -> Composition:
    return Composition(REFUSAL[language], True, {}, backend=backend)
