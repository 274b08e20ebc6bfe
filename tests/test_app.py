"""The Gradio app started on 127.0.0.1, called through gradio_client like any other program."""


import pytest

from tests.helpers import ROOT, running_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app-data"),
                     [ROOT / "corpus/zh/case-auto-lean.md", ROOT / "corpus/en/customer-metrics.md"]) as url:
        yield url


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


@pytest.mark.security
def test_a_request_cannot_name_a_model_file(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    for path in ("/etc/hostname", "/nonexistent/model.gguf"):  # the same answer whether the file exists or not
        answer = client.predict("What is NPS?", "default", "", f"llamacpp:{path}", api_name="/ask")
        assert answer["error"] == ("permission denied: that backend is not offered here; choose one of: extractive")
