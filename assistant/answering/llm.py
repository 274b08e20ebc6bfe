"""LLM backends from a "provider:model" string, and the composer that prompts them."""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.base import REFUSAL, Composition, refusal
from assistant.answering.grounding import cited_numbers
from assistant.answering.prompt import STOP_SEQUENCES, build_messages, condense_messages
from assistant.config import Settings
from assistant.errors import BackendError, BadInputError
from assistant.models import Hit

log = logging.getLogger(__name__)
PROVIDERS = ("extractive", "llamacpp", "openai", "ollama")


@dataclass(frozen=True)
class BackendSpec:
    provider: str
    model: str = ""

    def __str__(self) -> str:
        return self.provider if self.provider == "extractive" else f"{self.provider}:{self.model}"


def parse_backend(spec: str) -> BackendSpec:
    provider, _, model = (spec or "extractive").strip().partition(":")
    if provider not in PROVIDERS or (provider != "extractive" and not model):
        raise BadInputError(f"unknown backend '{spec}': use extractive, llamacpp:PATH.gguf, llamacpp:bundled, "
                            "openai:MODEL or ollama:MODEL")
    return BackendSpec(provider, model)


def endpoint(spec: BackendSpec, settings: Settings) -> str:
    """Where the backend lives, for error messages."""
    if spec.provider == "openai":
        return settings.openai_base_url or "https://api.openai.com/v1"
    if spec.provider == "ollama":
        return settings.ollama_url
    return spec.model


def make_chat_model(spec: BackendSpec, settings: Settings):
    """A LangChain chat model: greedy decoding, bounded output, the configured timeout and no retries."""
    if spec.provider == "llamacpp":
        from assistant.answering.llamacpp import LlamaCppChat, bundled_gguf_path

        path = bundled_gguf_path(settings.models_dir) if spec.model == "bundled" else spec.model
        if not Path(path).is_file():
            raise BadInputError(f"no GGUF model file at {path}")
        if importlib.util.find_spec("llama_cpp") is None:  # checked here: the worker process imports it
            raise BadInputError("the llamacpp backend needs the local-llm extra: pip install '.[local-llm]'")
        return LlamaCppChat(model_path=path, n_ctx=settings.llm_context, max_tokens=settings.llm_max_tokens,
                            timeout=settings.llm_timeout)
    if spec.provider == "openai":
        from langchain_openai import ChatOpenAI

        # max_tokens rides in the body: llama.cpp's and other OpenAI-compatible servers ignore the newer
        # max_completion_tokens that langchain-openai would send, and would generate without a bound.
        return ChatOpenAI(model=spec.model, base_url=settings.openai_base_url,
                          api_key=settings.openai_api_key or "none", timeout=settings.llm_timeout, max_retries=0,
                          temperature=0, stop_sequences=STOP_SEQUENCES,
                          extra_body={"max_tokens": settings.llm_max_tokens})
    from langchain_ollama import ChatOllama

    return ChatOllama(model=spec.model, base_url=settings.ollama_url, temperature=0, stop=STOP_SEQUENCES,
                      num_predict=settings.llm_max_tokens, client_kwargs={"timeout": settings.llm_timeout})


class LLMComposer:
    """Answers from the numbered passages through a chat model; every failure becomes a BackendError."""

    def __init__(self, chat_model, spec: BackendSpec, settings: Settings):
        self.chat_model, self.spec, self.settings = chat_model, spec, settings

    def _tokens(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        deadline = time.monotonic() + self.settings.llm_timeout
        try:
            for chunk in self.chat_model.stream(messages):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.settings.llm_timeout:g}s (QCA_LLM_TIMEOUT)")
                if chunk.content:
                    yield str(chunk.content)
        except BackendError:
            raise
        except Exception as exc:  # connection refused, HTTP errors, timeouts, model load failures
            raise BackendError(f"backend {self.spec} at {endpoint(self.spec, self.settings)} failed: "
                               f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    def stream(self, question: str, hits: list[Hit], language: str,
               qtype: str = "definition") -> Iterator[str | Composition]:
        """Tokens as they arrive, then the whole composition; the answer type shapes what the prompt asks for."""
        messages, removed = build_messages(question, hits, language, qtype)
        log.debug("prompt for %s: %s", self.spec, messages)
        parts: list[str] = []
        for token in self._tokens(messages):
            parts.append(token)
            yield token
        yield self._composition("".join(parts).strip(), hits, language, removed)

    def _composition(self, text: str, hits: list[Hit], language: str, removed: int) -> Composition:
        if not text or REFUSAL[language] in text or REFUSAL["en"] in text:
            composition = refusal(language, str(self.spec))
            composition.notes = [] if text else [f"{self.spec} returned no text"]
            return composition
        cited = {n: hits[n - 1] for n in sorted(set(cited_numbers(text))) if 1 <= n <= len(hits)}
        withheld = f"{removed} instruction-like sentence(s) in the passages were withheld from the model"
        notes = [withheld] if removed else []
        return Composition(text, "answered", cited, notes, backend=str(self.spec))

    def condense(self, question: str, history: list[dict[str, str]], language: str) -> str:
        text = "".join(self._tokens(condense_messages(question, history, language))).strip()
        return text.splitlines()[0].strip() if text else question
