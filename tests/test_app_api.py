"""The named API endpoints of the full app, driven through gradio_client against a real server process."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.auth import UserStore
from tests.helpers import ROOT, SMALL_CORPUS, running_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from gradio_client import Client

    with running_app(tmp_path_factory.mktemp("api-data"), SMALL_CORPUS) as url:
        yield Client(url, verbose=False)


@pytest.fixture(scope="module")
def secured_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("secured-data")
    store = UserStore(data_dir / "users.json")
    store.add_user("vic", "viewer-pass-1", "viewer")
    store.add_user("eda", "editor-pass-1", "editor")
    store.restrict_kb("secret", roles=["editor"])
    with running_app(data_dir, SMALL_CORPUS, data_dir / "users.json") as url:
        yield url


def test_search_returns_scored_hits(client):
    result = client.predict("Net Promoter Score", "default", "", 5, api_name="/search")
    assert result["hits"], result
    top = result["hits"][0]
    assert top["source"].endswith("customer-metrics.md") and top["fused_score"] > 0
    assert {"dense_score", "bm25_score", "matched_terms"} <= set(top)
    assert "error" in client.predict("", "default", "", 5, api_name="/search")


def test_upload_list_and_delete_a_markdown_file(client, tmp_path):
    from gradio_client import handle_file

    doc = tmp_path / "sampling-note.md"
    doc.write_text("# Sampling note\n\nAcceptance sampling inspects 80 units per lot of 1000 pallets.\n",
                   encoding="utf-8")
    [result] = client.predict([handle_file(str(doc))], "default", api_name="/upload")
    assert result["status"] == "ingested", result
    listed = client.predict("default", api_name="/list_sources")["sources"]
    source = next(s["source"] for s in listed if s["source"].endswith("uploads/default/sampling-note.md"))
    [again] = client.predict([handle_file(str(doc))], "default", api_name="/upload")
    assert again["status"] == "skipped"
    assert next(s["name"] for s in listed if s["source"] == source) == "sampling-note.md"
    deleted = client.predict(source, "default", api_name="/delete_source")
    assert deleted["chunks_removed"] >= 1 and deleted["file_removed"] and deleted["name"] == "sampling-note.md"
    assert source not in {s["source"] for s in client.predict("default", api_name="/list_sources")["sources"]}


def test_upload_of_a_fake_pdf_is_refused_with_a_reason(client, tmp_path):
    from gradio_client import handle_file

    fake = tmp_path / "report.pdf"
    fake.write_text("just text pretending to be a PDF", encoding="utf-8")
    [result] = client.predict([handle_file(str(fake))], "default", api_name="/upload")
    assert result["status"] == "failed" and "not a PDF" in result["detail"]


def test_upload_naming_a_server_file_is_refused(client):
    """A raw request (gradio_client would upload a local file itself) naming a file on the server."""
    import json
    import urllib.request

    forged = {"path": str(ROOT / "README.md"), "orig_name": "README.md", "meta": {"_type": "gradio.FileData"}}
    call = urllib.request.Request(f"{client.src.rstrip('/')}/gradio_api/call/upload", method="POST",
                                  data=json.dumps({"data": [[forged], "default"]}).encode(),
                                  headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(call, timeout=30) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{client.src.rstrip('/')}/gradio_api/call/upload/{event_id}", timeout=60) as events:
        stream = events.read().decode()
    assert "event: error" in stream or "not uploaded through the app" in stream
    assert not any("README" in s["source"] for s in client.predict("default", api_name="/list_sources")["sources"])


def test_ten_concurrent_asks_are_all_answered(client):
    questions = ["How is the Net Promoter Score calculated?", "某汽车制造商实施精益生产后客户投诉率下降了多少？"] * 5
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda q: client.predict(q, "default", "", api_name="/ask"), questions))
    assert len(answers) == 10 and all("error" not in a and a["answer"] for a in answers), answers


def test_onboarding_and_feedback_endpoints(client):
    module = client.predict("Net Promoter Score", "", "short", "en", "default", api_name="/onboarding")
    assert "error" not in module, module
    assert module["kind"] == "onboarding" and module["markdown"].startswith("# ")
    answer = client.predict("How is the Net Promoter Score calculated?", "default", "", api_name="/ask")
    saved = client.predict("down", answer["question"], answer, "too short", "default", api_name="/feedback")
    assert saved["rating"] == "down" and saved["id"] >= 1
    assert "rating" in client.predict("meh", "q", answer, "", "default", api_name="/feedback")["error"]


def test_viewer_cannot_read_a_restricted_kb_or_upload(secured_url, tmp_path):
    from gradio_client import Client, handle_file

    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own errors for a refused login
        Client(secured_url, auth=("vic", "wrong-password"), verbose=False)
    viewer = Client(secured_url, auth=("vic", "viewer-pass-1"), verbose=False)
    denied = viewer.predict("Net Promoter Score", "secret", "", 5, api_name="/search")
    assert denied["error"].startswith("permission denied") and "'secret'" in denied["error"]
    assert viewer.predict("Net Promoter Score", "default", "", 5, api_name="/search")["hits"]
    doc = tmp_path / "note.md"
    doc.write_text("# Note\n\nA viewer tries to upload this.\n", encoding="utf-8")
    refused = viewer.predict([handle_file(str(doc))], "default", api_name="/upload")
    assert "permission denied" in refused["error"] and "may not change documents" in refused["error"]
    editor = Client(secured_url, auth=("eda", "editor-pass-1"), verbose=False)
    [done] = editor.predict([handle_file(str(doc))], "secret", api_name="/upload")
    assert done["status"] == "ingested", done
    assert editor.predict("viewer upload", "secret", "", 5, api_name="/search")["hits"]


def test_search_endpoint_validates_k(client):
    for k in (-1, 2.5):
        answer = client.predict("Net Promoter Score", "default", "", k, api_name="/search")
        assert "k must be a whole number from 1 to" in answer["error"], answer
