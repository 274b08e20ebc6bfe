"""Reads of a knowledge base go in pages (one get() of a whole collection fails above about 32,000 records), and
readers notice a change by one small read of the collection's version, not by listing every chunk: also a
change made by another process."""

import pytest

from assistant.service import Assistant
from tests.helpers import wait_for


def _doc(path, sections: int):
    path.write_text("# Lots\n\n" + "\n\n".join(f"## 批次 {n}\n第{n}批的抽样缺陷数为{n % 5}，控制图编号 CC{n}。"
                                              for n in range(sections)), encoding="utf-8")
    return path


def test_every_read_is_paged_and_complete(tmp_path, hash_settings, monkeypatch):
    assistant = Assistant(hash_settings)
    report = assistant.ingest([_doc(tmp_path / "lots.md", 40)], kb="p", progress=False)
    monkeypatch.setattr("assistant.retrieval.store.READ_PAGE", 7)
    kb = assistant.kb("p")
    pages = []
    real_get = kb.collection.get
    monkeypatch.setattr(kb.collection, "get", lambda **kw: pages.append(kw.get("limit")) or real_get(**kw))
    assert len(kb.all_chunks()) == kb.count() == report.chunks_added > 7
    assert sum(len(e.chunk_ids) for e in kb.manifest().values()) == report.chunks_added
    assert pages and set(pages) == {7}
    assert kb.delete_source(next(iter(kb.manifest()))) == report.chunks_added and kb.count() == 0


def test_the_query_path_reads_the_version_not_the_chunks(tmp_path, hash_settings, monkeypatch):
    assistant = Assistant(hash_settings)
    assistant.ingest([_doc(tmp_path / "lots.md", 10)], progress=False)
    assistant.ask("第3批的抽样缺陷数是多少？")  # warm: the index is built once
    real_get = assistant.kb().collection.get
    monkeypatch.setattr(assistant.kb().collection, "get", lambda ids=None, **kw: real_get(ids=ids, **kw) if ids
                        else pytest.fail("the query path listed chunks"))  # texts by id for the hits only
    assert "3" in assistant.ask("第3批的抽样缺陷数是多少？").answer


def test_a_change_by_another_process_is_picked_up_in_the_background(tmp_path, hash_settings, monkeypatch):
    import threading

    from assistant.retrieval.lexical_store import LexicalStore

    reader, writer = Assistant(hash_settings), Assistant(hash_settings)  # two processes' worth of state
    writer.ingest([_doc(tmp_path / "lots.md", 5)], progress=False)
    before = reader.lexical().size()
    new = tmp_path / "more.md"
    new.write_text("# 新增\n\n## 供应商\n供应商甲的来料合格率为99.2%。\n", encoding="utf-8")
    monkeypatch.setattr(writer, "_after_write", lambda kb: None)  # as a process with its own data dir: not our store
    writer.ingest([new], progress=False)
    syncers, real_sync = [], LexicalStore.sync
    monkeypatch.setattr(LexicalStore, "sync", lambda self, kb: syncers.append(threading.current_thread())
                        or real_sync(self, kb))
    reader.ask("供应商甲的来料合格率是多少？")  # answered from the store as it was; it takes up the change meanwhile
    assert wait_for(lambda: reader.lexical().size() == before + 1)
    assert syncers and threading.main_thread() not in syncers  # never inside the question
    assert "99.2%" in reader.ask("供应商甲的来料合格率是多少？").answer


def test_a_process_sharing_the_data_dir_takes_up_the_store_the_writer_synced(tmp_path, hash_settings, monkeypatch):
    from assistant.retrieval.lexical_store import LexicalStore

    reader, writer = Assistant(hash_settings), Assistant(hash_settings)
    writer.ingest([_doc(tmp_path / "lots.md", 5)], progress=False)
    before = reader.lexical().size()
    new = tmp_path / "more.md"
    new.write_text("# 新增\n\n## 供应商\n供应商乙的来料合格率为98.1%。\n", encoding="utf-8")
    writer.ingest([new], progress=False)  # syncs the store both share
    monkeypatch.setattr(LexicalStore, "sync", lambda *a: pytest.fail("the writer already synced it"))
    assert reader.lexical().size() == before + 1
    assert "98.1%" in reader.ask("供应商乙的来料合格率是多少？").answer


def test_ingesting_a_file_reads_only_that_source(tmp_path, hash_settings, monkeypatch):
    assistant = Assistant(hash_settings)
    assistant.ingest([_doc(tmp_path / "lots.md", 20)], progress=False)
    kb, reads = assistant.kb(), []
    real = kb._records
    monkeypatch.setattr(kb, "_records", lambda include, where=None: reads.append(where) or real(include, where))
    new = tmp_path / "more.md"
    new.write_text("# 新增\n\n供应商乙的来料合格率为98.7%。\n", encoding="utf-8")
    assert assistant.ingest([new], progress=False).chunks_added == 1
    assert reads and all((where or {}).get("source", "").endswith("more.md") for where in reads)


def test_work_products_read_the_passages_they_use_not_the_whole_knowledge_base(tmp_path, hash_settings,
                                                                               monkeypatch):
    from assistant.workflows.grounded import SectionWriter

    case = tmp_path / "case.md"
    case.write_text("---\ntitle: 示例：某物流企业\ndoc_type: case_study\nindustries: [logistics]\n---\n\n"
                    "# 示例：某物流企业\n\n实施后，配送延迟率降低了20%。\n", encoding="utf-8")
    steps = tmp_path / "steps.md"
    steps.write_text("# 8D 方法\n\n## 8D 步骤\n\n1. D1 组建团队。\n2. D2 描述问题。\n3. D3 采取临时措施。\n",
                     encoding="utf-8")
    assistant = Assistant(hash_settings)
    assistant.ingest([_doc(tmp_path / "lots.md", 30), case, steps], progress=False)
    kb = assistant.kb()
    real_get = kb.collection.get
    monkeypatch.setattr(kb.collection, "get", lambda ids=None, where=None, **kw: real_get(ids=ids, where=where, **kw)
                        if ids or where else pytest.fail("a work product listed every chunk"))
    writer = SectionWriter(assistant)
    assert [r.change for r in writer.evidence_rows] == ["-20%"]
    assert writer.industry_passages("logistics") == 1
    [section] = writer.sections_about("8D 步骤")
    assert {c.source for c in section} == {str(steps)} and "D1 组建团队" in section[0].text
    assert writer.chunk(section[0].chunk_id) is section[0]


def test_listing_sources_reads_one_summary_per_source_not_the_chunks(tmp_path, hash_settings, monkeypatch):
    assistant = Assistant(hash_settings)
    lots, note = _doc(tmp_path / "lots.md", 12), _doc(tmp_path / "note.md", 2)
    assistant.ingest([lots, note], kb="s", progress=False)
    kb = assistant.kb("s")
    monkeypatch.setattr(kb, "_records", lambda **kw: pytest.fail("listing read every chunk's metadata"))
    listed = {s["source"].rsplit("/", 1)[-1]: s for s in assistant.list_sources("s")["sources"]}
    assert {name: s["chunks"] for name, s in listed.items()} == {"lots.md": 12, "note.md": 2}
    assert listed["lots.md"]["title"] == "Lots" and listed["lots.md"]["ingested_at"]
    monkeypatch.undo()
    _doc(lots, 5)  # changed: fewer sections
    assistant.ingest([lots], kb="s", progress=False)
    assistant.delete_source(listed["note.md"]["source"], "s")
    assert [(s["source"].rsplit("/", 1)[-1], s["chunks"]) for s in assistant.list_sources("s")["sources"]] == \
        [("lots.md", 5)]


def test_a_knowledge_base_from_before_summaries_gets_them_from_one_scan(tmp_path, hash_settings):
    assistant = Assistant(hash_settings)
    assistant.ingest([_doc(tmp_path / "lots.md", 6)], kb="old", progress=False)
    kb = assistant.kb("old")
    kb.client.delete_collection(kb.summaries.name)  # as a knowledge base made by an earlier version
    reopened = Assistant(hash_settings)
    assert [s["chunks"] for s in reopened.list_sources("old")["sources"]] == [6]
    assert reopened.kb("old").summaries._collection().metadata == {"complete": True}


def test_an_undone_write_leaves_the_summary_as_the_chunks_are(tmp_path, hash_settings, monkeypatch):
    from assistant.retrieval.store import KnowledgeBase

    assistant = Assistant(hash_settings)
    lots = _doc(tmp_path / "lots.md", 4)
    assistant.ingest([lots], kb="u", progress=False)
    _doc(lots, 9)
    monkeypatch.setattr(KnowledgeBase, "refresh_hash", lambda *a: (_ for _ in ()).throw(RuntimeError("killed")))
    assert assistant.ingest([lots], kb="u", progress=False).files_failed  # replayed: the stale chunks removed
    monkeypatch.undo()
    assert [s["chunks"] for s in Assistant(hash_settings).list_sources("u")["sources"]] == \
        [sum(len(e.chunk_ids) for e in assistant.kb("u").manifest().values())]


def test_two_processes_opening_a_new_knowledge_base_at_once_both_succeed(hash_settings):
    """Each sees no summary collection and creates it: the second creation finds it made, not an error."""
    from assistant.retrieval.sources import SourceSummaries

    kb = Assistant(hash_settings).kb("race")
    late = SourceSummaries(kb.client, kb.summaries.name)
    late._create(complete=True)  # as the slower process, after its own check found none
    assert late.all(lambda: pytest.fail("a new knowledge base needs no scan")) == []
