"""Ingest end to end on real Chroma: bad files skipped with reasons, incremental re-ingest, atomic replace."""

import pytest

from assistant.errors import BadInputError, EmbeddingMismatchError
from assistant.retrieval.store import KnowledgeBase, make_client
from assistant.service import Assistant
from ingest.chunking import chunk_document
from ingest.loaders import load_file
from tests.helpers import make_pdf

GOOD_MD = "---\ntitle: 防错\nlang: zh\n---\n# 防错\n## 原理\n防错装置在错误发生前阻止它。接触法检查零件形状。\n"


def _files(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "poka.md").write_text(GOOD_MD, encoding="utf-8")
    make_pdf(folder / "spc.pdf", [["统计过程控制用控制图监控过程，", "Cpk应不低于1.33。"]])
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"not really a pdf")
    make_pdf(folder / "locked.pdf", [["secret"]], encrypt="pw")
    (folder / "data.xlsx").write_bytes(b"PK")
    return folder


def test_batch_with_bad_files_ingests_the_rest_and_nothing_of_the_failures(tmp_path, hash_settings):
    assistant = Assistant(hash_settings)
    report = assistant.ingest([_files(tmp_path)], kb="t1", progress=False)
    failed = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in report.files_failed}
    assert report.files_ok == 2
    assert set(failed) == {"empty.txt", "fake.pdf", "locked.pdf", "data.xlsx"}
    assert "encrypted" in failed["locked.pdf"] and "not a PDF" in failed["fake.pdf"]
    sources = {s["source"].rsplit("/", 1)[-1] for s in assistant.list_sources("t1")["sources"]}
    assert sources == {"poka.md", "spc.pdf"}


def test_reingest_unchanged_writes_nothing_and_changed_file_is_replaced(tmp_path, hash_settings):
    assistant = Assistant(hash_settings)
    folder = _files(tmp_path)
    first = assistant.ingest([folder / "poka.md"], kb="t2", progress=False)
    assert first.chunks_added > 0
    version = assistant.kb("t2").version()
    again = assistant.ingest([folder / "poka.md"], kb="t2", progress=False)
    assert (again.chunks_added, again.chunks_removed, again.chunks_unchanged) == (0, 0, first.chunks_added)
    assert assistant.kb("t2").version() == version  # nothing written, nothing for readers to rebuild
    (folder / "poka.md").write_text(GOOD_MD.replace("接触法检查零件形状。", "定值法检查动作次数。"), encoding="utf-8")
    changed = assistant.ingest([folder / "poka.md"], kb="t2", progress=False)
    assert changed.chunks_added == 1 and changed.chunks_removed == 1 and assistant.kb("t2").version() != version
    texts = [c.text for c in assistant.kb("t2").all_chunks()]
    assert any("定值法" in t for t in texts) and not any("接触法" in t for t in texts)
    entry = next(iter(assistant.kb("t2").manifest().values()))
    assert len(entry.content_hashes) == 1


def test_failed_write_leaves_nothing_behind(tmp_path, hash_settings, monkeypatch):
    assistant = Assistant(hash_settings)
    kb = assistant.kb("t3")
    original = type(kb.collection).upsert

    def upsert_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(kb.collection), "upsert", upsert_then_fail)
    report = assistant.ingest([_files(tmp_path) / "poka.md"], kb="t3", progress=False)
    assert report.files_failed and "disk full" in report.files_failed[0]["error"]
    assert kb.count() == 0


def test_delete_source_and_unknown_source(tmp_path, hash_settings):
    assistant = Assistant(hash_settings)
    assistant.ingest([_files(tmp_path) / "poka.md"], kb="t4", progress=False)
    source = assistant.list_sources("t4")["sources"][0]["source"]
    assert assistant.delete_source(source, "t4")["chunks_removed"] >= 1
    assert assistant.stats("t4")["chunks"] == 0
    with pytest.raises(BadInputError, match="no source"):
        assistant.delete_source(source, "t4")


def test_opening_with_another_embedding_model_is_a_clear_error(hash_settings):
    client = make_client(hash_settings)
    KnowledgeBase(client, "mixed", "hash")
    with pytest.raises(EmbeddingMismatchError, match="--reindex"):
        KnowledgeBase(client, "mixed", "some-other-model")


def test_missing_path_and_bad_kb_name_are_bad_input(tmp_path, hash_settings):
    assistant = Assistant(hash_settings)
    report = assistant.ingest([tmp_path / "nope"], progress=False)  # fails alone, like any bad file
    assert report.files_failed == [{"path": str(tmp_path / "nope"), "error": "path does not exist"}]
    with pytest.raises(BadInputError, match="invalid knowledge base name"):
        assistant.kb("../etc")


@pytest.mark.integration
def test_no_chunk_is_ever_truncated_by_the_real_model(tmp_path, corpus_assistant):
    embedder = corpus_assistant.embedder
    long_sentence = "过程能力指数" * 400 + "。" + " ".join(["capability"] * 600) + "."
    path = tmp_path / "long.md"
    path.write_text(f"---\ntitle: 很长的标题 Long title\n---\n## 节\n{long_sentence}\n", encoding="utf-8")
    doc = load_file(path, "long.md", 10**7, 10**7)
    chunks = chunk_document(doc, embedder.count_tokens, 160, 32, embedder.max_tokens)
    assert len(chunks) > 5
    assert max(embedder.count_tokens(c.indexed_text) for c in chunks) <= embedder.max_tokens
    corpus_chunks = corpus_assistant.kb().all_chunks()
    assert max(embedder.count_tokens(c.indexed_text) for c in corpus_chunks) <= embedder.max_tokens


def test_unchanged_chunks_of_a_changed_file_keep_their_own_metadata(tmp_path, hash_settings):
    sections = "".join(f"## 第{i}节\n第{i}节的内容说明质量管控的要点{i}。\n" for i in range(1, 9))
    path = tmp_path / "many.md"
    path.write_text(f"---\ntitle: 多节文档\n---\n{sections}", encoding="utf-8")
    assistant = Assistant(hash_settings)
    assistant.ingest([path], kb="t5", progress=False)
    path.write_text(f"---\ntitle: 多节文档\n---\n{sections}## 新节\n新增的一节。\n", encoding="utf-8")
    report = assistant.ingest([path], kb="t5", progress=False)
    assert (report.chunks_added, report.chunks_unchanged) == (1, 8)
    for chunk in assistant.kb("t5").all_chunks():
        number = chunk.section.removeprefix("第").removesuffix("节")
        assert chunk.section == "新节" or f"第{number}节的内容" in chunk.text, (chunk.section, chunk.text)
