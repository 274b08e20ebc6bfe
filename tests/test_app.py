"""The Gradio app started on 127.0.0.1, called through gradio_client like any other program."""

import os
import sys

import pytest

from assistant.config import Settings
from assistant.service import Assistant
from tests.conftest import ROOT
from tests.servers import free_port, serving

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("app-data")
    Assistant(Settings(data_dir=data_dir, _env_file=None)).ingest(
        [ROOT / "corpus/zh/case-auto-lean.md", ROOT / "corpus/en/customer-metrics.md"], progress=False)
    port = free_port()
    env = {**os.environ, "QCA_DATA_DIR": str(data_dir), "QCA_PORT": str(port), "HF_HUB_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    with serving([sys.executable, "app.py"], f"http://127.0.0.1:{port}/", cwd=ROOT, env=env):
        yield f"http://127.0.0.1:{port}/"


def test_named_ask_endpoint_returns_the_cli_answer_json(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    answer = client.predict("某汽车制造商实施精益生产后客户投诉率下降了多少？", "default", "", api_name="/ask")
    assert not answer["refused"] and "40%" in answer["answer"]
    assert answer["citations"][0]["n"] == 1 and answer["citations"][0]["source"].endswith("case-auto-lean.md")
    refused = client.predict("红烧肉怎么做？", "default", "", api_name="/ask")
    assert refused["refused"] and refused["citations"] == []
    bad = client.predict("What is NPS?", "default", "astrology", api_name="/ask")
    assert "unknown industry" in bad["error"]
