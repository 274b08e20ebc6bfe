"""Files of more chunks than Chroma takes in one call ingest whole, and a kill between two calls leaves no half
file, nor part of a group of small files written together: the journal undoes or finishes the change when the
knowledge base is next opened."""

import subprocess
import sys
import textwrap

import pytest

from assistant.service import Assistant

pytestmark = pytest.mark.security


def _big_text(path, paragraphs: int, tag: str = ""):
    lines = [f"第{i}段{tag}：抽样检验批次 lot-{i} 的缺陷数为 {i % 7}，控制图编号 CC{i}。" for i in range(paragraphs)]
    path.write_text("\n\n".join(lines), encoding="utf-8")
    return path


def test_a_file_of_more_chunks_than_one_chroma_batch_ingests_whole(tmp_path, hash_settings):
    assistant = Assistant(hash_settings.model_copy(update={"chunk_tokens": 24, "chunk_overlap_tokens": 0}))
    most = assistant.kb("big").client.get_max_batch_size()
    report = assistant.ingest([_big_text(tmp_path / "lots.txt", 6000)], kb="big", progress=False)
    assert not report.files_failed, report.files_failed
    assert report.chunks_added > most and assistant.kb("big").count() == report.chunks_added


KILLED_BATCH = 10
KILLED_INGEST = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import chromadb.api.models.Collection as chroma_collection
    import assistant.retrieval.store as store
    from assistant.config import Settings
    from assistant.service import Assistant

    store.WRITE_BATCH = {batch}
    calls, real_upsert = [], chroma_collection.Collection.upsert
    def upsert(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # two batches of the file are in Chroma, the rest is not
            os.kill(os.getpid(), signal.SIGKILL)
        return real_upsert(self, *args, **kwargs)
    chroma_collection.Collection.upsert = upsert
    settings = Settings(data_dir=Path(sys.argv[1]), embedding_model="hash", _env_file=None)
    Assistant(settings).ingest([Path(sys.argv[2])], kb="k", progress=False)
""").format(batch=KILLED_BATCH)


def _killed_ingest(data_dir, path):
    done = subprocess.run([sys.executable, "-c", KILLED_INGEST, str(data_dir), str(path)], timeout=300)
    assert done.returncode == -9  # it really was killed mid-file


def test_a_kill_between_batches_leaves_no_half_file(tmp_path, hash_settings):
    document = _big_text(tmp_path / "lots.txt", 600)
    _killed_ingest(hash_settings.data_dir, document)  # a new file: undone
    assistant = Assistant(hash_settings)
    assert assistant.kb("k").count() == 0 and assistant.list_sources("k")["sources"] == []

    first = assistant.ingest([document], kb="k", progress=False)
    clean_ids = set(assistant.kb("k").collection.get(include=[])["ids"])
    assert first.chunks_added == len(clean_ids) > 3 * KILLED_BATCH

    _big_text(document, 600, tag="修订")  # a changed file: the old version stays whole
    _killed_ingest(hash_settings.data_dir, document)
    reopened = Assistant(hash_settings)
    assert set(reopened.kb("k").collection.get(include=[])["ids"]) == clean_ids
    again = reopened.ingest([document], kb="k", progress=False)
    assert again.chunks_removed == len(clean_ids) and reopened.kb("k").count() == again.chunks_added


def test_small_files_written_together_land_together_or_not_at_all(tmp_path, hash_settings):
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(3 * KILLED_BATCH):  # one chunk each: one group, written in three calls
        (folder / f"note-{i:02d}.md").write_text(f"# 备忘 {i}\n\n第{i}号供应商的来料合格率为{90 + i % 10}%。\n",
                                                 encoding="utf-8")
    _killed_ingest(hash_settings.data_dir, folder)  # killed before the group's third call
    assistant = Assistant(hash_settings)
    assert assistant.kb("k").count() == 0 and assistant.list_sources("k")["sources"] == []
    report = assistant.ingest([folder], kb="k", progress=False)
    assert report.files_ok == 3 * KILLED_BATCH and assistant.kb("k").count() == report.chunks_added
