"""Embedding servers (QCA_EMBEDDING_MODEL=openai:NAME | ollama:NAME): a knowledge base built and searched through a
real llama.cpp server's /v1/embeddings, the model recorded in the collection, and retries on a failing server."""

import http.server
import json

import numpy as np
import pytest

from assistant.answering.llamacpp import bundled_gguf_path
from assistant.config import Settings
from assistant.errors import BackendError, BadInputError, EmbeddingMismatchError
from assistant.retrieval.embeddings import get_embedder
from assistant.retrieval.remote_embeddings import RemoteEmbedder
from assistant.service import Assistant
from tests.helpers import free_port, llama_server, local_http_server

DOCS = {"spc.md": "# SPC\n\n控制图用于区分普通原因波动和特殊原因波动，超出控制限的点需要调查。\n",
        "nps.md": "# NPS\n\nNet Promoter Score equals the share of promoters minus the share of detractors.\n"}


@pytest.mark.integration
def test_a_knowledge_base_built_and_searched_through_a_real_embedding_server(tmp_path):
    for name, text in DOCS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    gguf = bundled_gguf_path(tmp_path / "models")
    with llama_server(gguf, embedding=True) as base_url:
        settings = Settings(data_dir=tmp_path / "data", embedding_model="openai:gemma", embedding_url=base_url,
                            _env_file=None)
        assistant = Assistant(settings)
        report = assistant.ingest([tmp_path / "spc.md", tmp_path / "nps.md"], progress=False)
        assert report.files_ok == 2 and not report.files_failed
        knowledge_base = assistant.kb()
        assert knowledge_base.collection.metadata["embedding_model"] == "openai:gemma"
        for name, text in DOCS.items():  # each text's vector, asked for again, finds its own chunk first
            query = assistant.embedder.embed([text.split("\n\n")[1].strip()])[0]
            assert knowledge_base.dense_search(query, 1, None)[0][0].source.endswith(name)
        assert assistant.search("控制图 控制限", k=1).hits[0].chunk.source.endswith("spc.md")
    other = Assistant(settings.model_copy(update={"embedding_model": "hash"}))
    with pytest.raises(EmbeddingMismatchError, match="--reindex"):
        other.search("控制图", k=1)


class _FlakyEmbeddings(http.server.BaseHTTPRequestHandler):
    """Ollama's /api/embed and OpenAI's /v1/embeddings, failing with 503 on the first request of each kind."""
    seen: list[str] = []

    def do_POST(self):  # noqa: N802 - the stdlib's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        first = self.path not in self.seen
        self.seen.append(self.path)
        if first:
            self.send_response(503)
            self.end_headers()
            return
        vectors = [[float(len(text)), 1.0, 0.0] for text in body["input"]]
        payload = ({"embeddings": vectors} if self.path == "/api/embed" else
                   {"data": [{"index": i, "embedding": v} for i, v in reversed(list(enumerate(vectors)))]})
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("provider, path", [("openai", "/v1"), ("ollama", "")])
def test_batches_are_retried_kept_in_order_and_normalised(provider, path):
    _FlakyEmbeddings.seen = []
    with local_http_server(_FlakyEmbeddings) as url:
        embedder = RemoteEmbedder(f"{provider}:m", url + path, batch_size=2)
        vectors = embedder.embed(["a", "bbb", "cc"])
    assert _FlakyEmbeddings.seen.count(_FlakyEmbeddings.seen[0]) == 3  # one refused, then two batches
    expected = np.asarray([[1, 1, 0], [3, 1, 0], [2, 1, 0]], dtype=np.float32)
    assert np.allclose(vectors, expected / np.linalg.norm(expected, axis=1, keepdims=True))


def test_an_unreachable_server_is_named_in_the_error():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendError, match=f"{url}/embeddings cannot be reached"):
        RemoteEmbedder("openai:m", url).embed(["text"])


def test_a_server_model_needs_an_address_and_a_model_name():
    with pytest.raises(BadInputError, match="QCA_EMBEDDING_URL"):
        get_embedder("openai:some-model", 32, None)
    with pytest.raises(ValueError, match="openai:MODEL"):
        RemoteEmbedder("openai:", "http://127.0.0.1:1")
