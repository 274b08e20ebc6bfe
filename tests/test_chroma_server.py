"""Ingest and ask against a real `chroma run` server: how several app instances share one knowledge base."""

import pytest

from assistant.config import Settings
from assistant.errors import StoreUnavailableError
from assistant.service import Assistant
from tests.helpers import ROOT, chroma_server, free_port, running_app, wait_for

pytestmark = pytest.mark.integration


def test_ingest_and_ask_through_a_chroma_server(tmp_path):
    with chroma_server(tmp_path / "server-db") as port:
        def instance(name):
            return Assistant(Settings(data_dir=tmp_path / name, chroma_host="127.0.0.1", chroma_port=port,
                                      _env_file=None))

        writer, reader = instance("app-a"), instance("app-b")
        report = writer.ingest([ROOT / "corpus/zh/case-auto-lean.md", ROOT / "corpus/en/customer-metrics.md"],
                               progress=False)
        assert report.files_ok == 2 and not report.files_failed
        # A second instance with its own data dir sees the same knowledge base through the server.
        answer = reader.ask("某汽车制造商实施精益生产后客户投诉率下降了多少？")
        assert not answer.refused and "40%" in answer.answer
        assert reader.stats()["sources"] == 2
        assert not (tmp_path / "app-a" / "chroma").exists()  # nothing embedded was written locally
        # A change through one instance is answered by the other within 5 s (the bound): its next question
        # reads the version token on the server and starts a rebuild in the background.
        note = tmp_path / "supplier-note.md"
        note.write_text("# 供应商丙\n\n供应商丙的来料合格率为97.6%。\n", encoding="utf-8")
        writer.ingest([note], progress=False)
        assert wait_for(lambda: "97.6%" in reader.ask("供应商丙的来料合格率是多少？").answer, seconds=5)
        # The dense side may answer first; the counts come from the BM25 store, which catches up in the background.
        assert wait_for(lambda: reader.stats()["sources"] == 3, seconds=5)


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=free_port(), _env_file=None)
    with pytest.raises(StoreUnavailableError, match="cannot reach the Chroma server at http://127.0.0.1"):
        Assistant(settings).kb("default")


def test_two_app_processes_share_one_knowledge_base_on_a_chroma_server(tmp_path):
    from gradio_client import Client, handle_file

    def ask(client, question):
        return client.predict(question, "default", "", api_name="/ask")["answer"]

    with chroma_server(tmp_path / "server-db") as port:
        shared = {"chroma_host": "127.0.0.1", "chroma_port": str(port)}
        with running_app(tmp_path / "app-a", [ROOT / "corpus/zh/case-auto-lean.md"], **shared) as url_a, \
                running_app(tmp_path / "app-b", [], **shared) as url_b:
            first, second = Client(url_a, verbose=False), Client(url_b, verbose=False)
            # B answers from what was ingested through A's settings
            assert "40%" in ask(second, "某汽车制造商实施精益生产后客户投诉率下降了多少？")
            note = tmp_path / "supplier-note.md"
            note.write_text("# 供应商丁\n\n供应商丁的来料合格率为96.4%。\n", encoding="utf-8")
            [uploaded] = first.predict([handle_file(str(note))], "default", api_name="/upload")
            assert uploaded["status"] == "ingested", uploaded
            # Uploaded through A, answered by B within 5 s (B notices the version token and rebuilds in the background).
            assert wait_for(lambda: "96.4%" in ask(second, "供应商丁的来料合格率是多少？"), seconds=5)
