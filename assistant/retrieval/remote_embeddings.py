"""An embedding model behind HTTP, for a site whose better model (one that reads Chinese) runs as a server: an
OpenAI-compatible `/v1/embeddings` (OpenAI, vLLM, llama.cpp's server, LiteLLM …) or Ollama's `/api/embed`.
Batched and retried; the vectors come back L2-normalised like the bundled model's."""

from __future__ import annotations

import time

import numpy as np

from assistant.errors import BackendError
from assistant.text import approximate_tokens

PROVIDERS = ("openai", "ollama")
REMOTE_MAX_TOKENS = 512  # what embedding servers commonly accept; chunks are far smaller (QCA_CHUNK_TOKENS)
RETRIES = 3  # attempts per batch when the server is unreachable, overloaded (429) or failing (5xx)
FIRST_BACKOFF_S = 0.5  # doubled after each failed attempt
RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class RemoteEmbedder:
    """`openai:NAME` or `ollama:NAME`, as QCA_EMBEDDING_MODEL names it (the name recorded in the collection)."""

    def __init__(self, name: str, url: str, api_key: str | None = None, batch_size: int = 32,
                 timeout: float = 60.0):
        self.name = name
        self.provider, self.model = name.split(":", 1)
        if self.provider not in PROVIDERS or not self.model:
            raise ValueError(f"an embedding server is named openai:MODEL or ollama:MODEL, not {name!r}")
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.batch_size = batch_size
        self.timeout = timeout
        self.max_tokens = REMOTE_MAX_TOKENS

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [vector for start in range(0, len(texts), self.batch_size)
                for vector in self._embed_batch(texts[start:start + self.batch_size])]
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        if len({len(r) for r in rows}) != 1:
            raise BackendError(f"the embedding server {self.url} returned vectors of different lengths")
        vectors = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def count_tokens(self, text: str) -> int:
        return approximate_tokens(text)

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        path = "/embeddings" if self.provider == "openai" else "/api/embed"
        payload = self._post(f"{self.url}{path}", {"model": self.model, "input": batch})
        try:
            if self.provider == "openai":
                vectors = [item["embedding"] for item in sorted(payload["data"], key=lambda item: item["index"])]
            else:
                vectors = payload["embeddings"]
        except (KeyError, TypeError) as exc:
            raise BackendError(f"the embedding server {self.url} answered without embeddings") from exc
        if len(vectors) != len(batch):
            raise BackendError(f"the embedding server {self.url} returned {len(vectors)} vectors for "
                               f"{len(batch)} texts")
        return [_pooled(v) for v in vectors]

    def _post(self, endpoint: str, body: dict) -> dict:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        wait, failure = FIRST_BACKOFF_S, ""
        for attempt in range(RETRIES):
            if attempt:
                time.sleep(wait)
                wait *= 2
            try:
                response = httpx.post(endpoint, json=body, headers=headers, timeout=self.timeout)
            except httpx.HTTPError as exc:
                failure = f"cannot be reached ({type(exc).__name__})"
                continue
            if response.status_code in RETRIED_STATUSES:
                failure = f"answered HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise BackendError(f"the embedding server {endpoint} answered HTTP {response.status_code}: "
                                   f"{response.text[:200]}")
            return response.json()
        raise BackendError(f"the embedding server {endpoint} {failure} ({RETRIES} attempts)")


def _pooled(vector: list) -> list[float]:
    """One vector per text. A server running a model without pooling (llama.cpp with a generative model) returns
    one vector per token: their mean stands for the text."""
    if vector and isinstance(vector[0], list):
        return np.asarray(vector, dtype=np.float32).mean(axis=0).tolist()
    return vector
