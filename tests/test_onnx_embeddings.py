"""The bundled model as int8 ONNX: exported here from the bundled model, close to its vectors, exported once,
and recorded in the knowledge base like any other model."""

import numpy as np
import pytest

from assistant.config import BUNDLED_INT8, BUNDLED_MODEL, Settings
from assistant.errors import EmbeddingMismatchError
from assistant.retrieval.embeddings import get_embedder
from assistant.retrieval.onnx_embeddings import EXPORTED_FILE, OnnxInt8Embedder
from assistant.service import Assistant
from tests.helpers import ROOT

pytestmark = pytest.mark.integration

TEXTS = ["控制图用于监控过程波动。", "The Net Promoter Score asks one question.", "8D 的第四步是根本原因分析。"]


@pytest.fixture(scope="module")
def int8(tmp_path_factory):
    return OnnxInt8Embedder(get_embedder(BUNDLED_MODEL), tmp_path_factory.mktemp("models"))


def test_its_vectors_are_close_to_the_bundled_models(int8):
    exact, quantized = get_embedder(BUNDLED_MODEL).embed(TEXTS), int8.embed(TEXTS)
    assert quantized.shape == exact.shape and quantized.dtype == np.float32
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1.0, atol=1e-5)
    assert (quantized * exact).sum(axis=1).min() > 0.95
    assert int8.count_tokens(TEXTS[1]) == get_embedder(BUNDLED_MODEL).count_tokens(TEXTS[1])


def test_the_export_happens_once(int8, tmp_path):
    exported = tmp_path / "models"
    first = OnnxInt8Embedder(get_embedder(BUNDLED_MODEL), exported)
    written = (exported / EXPORTED_FILE).stat().st_mtime_ns
    assert not [p for p in exported.iterdir() if p.name != EXPORTED_FILE]  # no scratch file left behind
    OnnxInt8Embedder(get_embedder(BUNDLED_MODEL), exported)
    assert (exported / EXPORTED_FILE).stat().st_mtime_ns == written
    assert np.allclose(first.embed(TEXTS), int8.embed(TEXTS), atol=1e-6)  # the same export, the same vectors


def test_it_is_the_default_and_a_knowledge_base_built_with_it_refuses_the_pytorch_model(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    assert settings.embedding_model == BUNDLED_INT8
    assistant = Assistant(settings)
    assistant.ingest([ROOT / "corpus/zh/case-auto-lean.md"], progress=False)
    assert "40%" in assistant.ask("某汽车制造商实施精益生产后客户投诉率下降了多少？").answer
    with pytest.raises(EmbeddingMismatchError, match="--reindex"):
        Assistant(Settings(data_dir=tmp_path / "data", embedding_model=BUNDLED_MODEL, _env_file=None)).kb()
