"""The persistent, incremental BM25 store (tantivy) against a real knowledge base: it ranks as the in-memory
index does, a sync touches only what changed, and it survives a restart without re-reading anything."""

import pytest

from assistant.retrieval.lexical_store import LexicalStore
from tests.helpers import ROOT


def _ranked(store, query):
    from assistant.text import tokenize

    return [chunk_id for chunk_id, _ in store.search(tokenize(query), {}, 3)]


@pytest.mark.parametrize("query", ["8D 团队 根本原因", "NPS promoters detractors", "精益生产 客户投诉率"])
def test_it_ranks_as_the_in_memory_index_does(small_kb, tmp_path, query):
    import numpy as np

    from assistant.text import tokenize

    store = LexicalStore(tmp_path / "lexical")
    store.sync(small_kb.kb())
    lexical = small_kb.lexical()
    scores = lexical.scores(tokenize(query))
    expected = [lexical.chunks[i].chunk_id for i in np.argsort(-scores, kind="stable")[:3]]
    assert _ranked(store, query) == expected
    assert store.document_frequency("客户") == lexical.document_frequency("客户") > 0


def test_a_sync_adds_and_deletes_only_what_changed_and_survives_a_restart(small_kb, tmp_path):
    kb = small_kb.kb()
    store = LexicalStore(tmp_path / "lexical")
    first = store.sync(kb)
    assert (first.added, first.removed, store.size()) == (kb.count(), 0, kb.count())

    before = kb.count()
    small_kb.ingest([ROOT / "corpus/zh/pdca.md"], progress=False)
    grown = store.sync(kb)
    assert (grown.added, grown.removed) == (kb.count() - before, 0)
    assert any(kb.chunks_by_ids([i])[0].source.endswith("pdca.md") for i, _ in store.search(["pdca"], {}, 3))

    reopened = LexicalStore(tmp_path / "lexical")
    assert reopened.version == kb.version() and reopened.size() == kb.count()
    pdca_title = next(c.title for c in kb.all_chunks() if c.source == "corpus/zh/pdca.md")
    assert reopened.titles()["corpus/zh/pdca.md"] == pdca_title and "PDCA" in pdca_title
    assert reopened.sync(kb).added == 0

    removed = kb.delete_source("corpus/zh/pdca.md")
    shrunk = reopened.sync(kb)
    assert (shrunk.added, shrunk.removed, reopened.size()) == (0, removed, before)
    assert not reopened.search(["pdca"], {}, 3)
    assert "corpus/zh/pdca.md" not in reopened.titles() and "corpus/zh/8d.md" in reopened.titles()


def test_a_sync_while_another_writer_holds_the_index_does_nothing_and_says_so(small_kb, tmp_path):
    store = LexicalStore(tmp_path / "lexical")
    held = store.index.writer(heap_size=15_000_000, num_threads=1)
    report = store.sync(small_kb.kb())
    assert report.busy and (report.added, store.size(), store.version) == (0, 0, "")
    del held
    import gc

    gc.collect()
    assert store.sync(small_kb.kb()).added == small_kb.kb().count()


def test_filters_restrict_the_hits(small_kb, tmp_path):
    store = LexicalStore(tmp_path / "lexical")
    store.sync(small_kb.kb())
    english = store.search(["nps", "客户"], {"lang": ["en"]}, 20)
    assert english and all(c.lang == "en" for c in small_kb.kb().chunks_by_ids([i for i, _ in english]))
    assert not store.search(["nps"], {"source": ["corpus/zh/8d.md"], "lang": ["en"]}, 20)


def test_tokens_made_by_another_tokenizer_are_dropped(small_kb, tmp_path, monkeypatch):
    store = LexicalStore(tmp_path / "lexical")
    store.sync(small_kb.kb())
    monkeypatch.setattr("assistant.retrieval.lexical_store.tokenizer_key", lambda: "another")
    rebuilt = LexicalStore(tmp_path / "lexical")
    assert rebuilt.size() == 0 and rebuilt.version == ""
    assert rebuilt.sync(small_kb.kb()).added == small_kb.kb().count()


def test_a_first_sync_reads_the_texts_a_page_at_a_time(small_kb, tmp_path, monkeypatch):
    kb = small_kb.kb()
    pages = []
    real = kb.collection.get
    monkeypatch.setattr("assistant.retrieval.store.READ_PAGE", 7)
    monkeypatch.setattr(kb.collection, "get", lambda ids=None, **kw: (pages.append(len(ids)) if ids else None)
                        or real(ids=ids, **kw))
    store = LexicalStore(tmp_path / "lexical")
    assert store.sync(kb).added == store.size() == kb.count()
    assert max(pages) == 7 and sum(pages) == kb.count()
