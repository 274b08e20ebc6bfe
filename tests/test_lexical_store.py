"""The persistent, incremental BM25 store (tantivy) against a real knowledge base: it ranks as the in-memory
index does, a sync touches only what changed, and it survives a restart without re-reading anything."""

import pytest

from assistant.retrieval.lexical_store import TITLES_FILE, LexicalStore
from tests.helpers import ROOT


def _ranked(store, query):
    from assistant.text import tokenize

    return [chunk_id for chunk_id, _ in store.search(tokenize(query), {}, 3)]


@pytest.mark.parametrize("query", ["8D 团队 根本原因", "NPS promoters detractors", "精益生产 客户投诉率"])
def test_it_scores_as_bm25s_does(small_kb, tmp_path, query):
    """tantivy's BM25 keeps Lucene's old (k1 + 1) factor and stores document lengths in one byte, so its scores are
    bm25s's times 2.2, to within the rounding of those lengths."""
    import bm25s
    import numpy as np

    from assistant.text import tokenize

    store = LexicalStore(tmp_path / "lexical")
    store.sync(small_kb.kb())
    chunks = small_kb.kb().all_chunks()
    reference = bm25s.BM25(k1=1.2, b=0.75)  # tantivy's parameters
    reference.index([tokenize(c.indexed_text) for c in chunks], show_progress=False)
    expected = reference.get_scores(tokenize(query))
    position = {c.chunk_id: i for i, c in enumerate(chunks)}
    found = store.search(tokenize(query), {}, 5)
    assert found[0][0] == chunks[int(np.argmax(expected))].chunk_id
    assert all(score / 2.2 == pytest.approx(expected[position[i]], rel=0.05) for i, score in found)
    assert store.document_frequency("客户") == sum("客户" in tokenize(c.indexed_text) for c in chunks) > 0


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


def test_a_change_the_log_cannot_tell_is_found_by_listing(small_kb, tmp_path, monkeypatch):
    kb = small_kb.kb()
    store = LexicalStore(tmp_path / "lexical")
    store.sync(kb)
    listed = []
    real = kb.all_ids
    monkeypatch.setattr(kb, "all_ids", lambda: listed.append(1) or real())
    removed = kb.delete_source("corpus/zh/8d.md")
    assert store.sync(kb).removed == removed and not listed  # from the change log
    monkeypatch.setattr(kb.changes, "record", lambda *a: None)  # a record lost (two writers at once)
    small_kb.ingest([ROOT / "corpus/zh/8d.md"], progress=False)
    assert store.sync(kb).added == removed and listed and store.size() == kb.count()


def test_sources_are_found_by_a_word_of_their_title_as_glossary_mentions_finds_it(tmp_path):
    store = LexicalStore(tmp_path / "lexical")
    store._write_json(TITLES_FILE, {"a.md": "Acme Motors 8D Manual", "b.md": "SNPS 调查：某食品厂的投诉",
                                      "c.md": "NPS in retail"})
    assert store.sources_titled({"acme"}) == {"a.md"}
    assert store.sources_titled({"nps"}) == {"c.md"}  # a Latin word whole, not inside "SNPS"
    assert store.sources_titled({"食品厂", "manual"}) == {"a.md", "b.md"}  # Chinese anywhere
    assert store.sources_titled({"8d manual"}) == {"a.md"} and not store.sources_titled({"motors\nsnps"})
