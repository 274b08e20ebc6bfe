"""A persistent, incremental BM25 index of one knowledge base, for knowledge bases too large to hold in memory:
tantivy segments on disk (memory-mapped), holding each chunk's id, its filter fields and its tokens, never its
text (the texts stay in Chroma and are fetched by id for the hits). A sync adds the chunks the collection gained
and deletes those it lost, tokenizing only the new ones; reopening after a restart reads nothing back. Several
processes may share the directory: one writes at a time (tantivy's lock), the others `refresh` to its commits."""

from __future__ import annotations

import json
import shutil
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from assistant.files import atomic_path
from assistant.glossary import term_pattern
from assistant.models import Chunk
from assistant.retrieval.lexical import bm25_idf
from assistant.text import tokenize, tokenizer_key

STATE_FILE = "state.json"  # the tokenizer the tokens were made with, and the collection version synced to
IDS_FILE = "ids.txt"  # the chunk ids committed to the index, one per line
TITLES_FILE = "titles.json"  # source -> title, for finding the documents about a named entity
WRITER_HEAP_BYTES = 64_000_000
MAX_SEARCH_LIMIT = 10_000


@dataclass
class SyncReport:
    added: int
    removed: int
    busy: bool = False  # another writer (a CLI ingest beside the app) holds the index: nothing done, try later


class LexicalStore:
    """BM25 over tokens on disk; `sync` brings it up to date with a knowledge base."""

    def __init__(self, directory: Path):
        import tantivy

        self.directory = directory
        state = self._read_state()
        if state.get("tokenizer") != tokenizer_key():
            shutil.rmtree(directory, ignore_errors=True)  # tokens made by another tokenizer cannot be reused
            state = {"tokenizer": tokenizer_key(), "version": ""}
        directory.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(directory))
        self.state = state
        self._reopen()

    @property
    def version(self) -> str:
        """The knowledge-base version the index holds ('' before its first sync)."""
        return str(self.state.get("version", ""))

    def refresh(self) -> None:
        """Take up what another process sharing the directory committed since this one last looked."""
        state = self._read_state()
        if state.get("tokenizer") == tokenizer_key() and state.get("version") != self.version:
            self.state = state
            self.index.reload()
            self._reopen()

    def _reopen(self) -> None:
        """One searcher per committed state: searches see a consistent snapshot, and term counts are cached."""
        self._searcher = self.index.searcher()
        self._frequencies: dict[str, int] = {}
        self._titles: dict[str, str] | None = None
        self._title_index: tuple[str, list[int], list[str]] | None = None

    def size(self) -> int:
        return self._searcher.num_docs

    def count(self, field: str, value: str) -> int:
        """How many chunks have this value in a filter field (e.g. lang = zh)."""
        import tantivy

        return self._searcher.search(tantivy.Query.term_query(self.schema, field, value), 1).count

    def titles(self) -> dict[str, str]:
        """Each source's title: one small file, however many chunks the sources have; read once per state."""
        if self._titles is None:
            path = self.directory / TITLES_FILE
            self._titles = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return self._titles

    def sources_titled(self, terms: set[str]) -> set[str]:
        """The sources whose title names any of the terms (glossary.mentions's rule): one regular-expression pass
        per term over all titles joined, not a Python loop over thousands of sources per question word."""
        if self._title_index is None:
            titles = self.titles()
            sources = list(titles)
            lowered = [titles[source].lower() for source in sources]
            starts = list(accumulate((len(title) + 1 for title in lowered[:-1]), initial=0))
            self._title_index = ("\n".join(lowered), starts, sources)
        joined, starts, sources = self._title_index
        return {sources[bisect_right(starts, match.start()) - 1]
                for term in terms for match in term_pattern(term).finditer(joined)}

    def frequency_in(self, token: str, sources: set[str]) -> int:
        """How many chunks of these sources have the token."""
        import tantivy

        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "body", token)),
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "source", list(sources)))])
        return self._searcher.search(query, 1).count

    def document_frequency(self, token: str) -> int:
        frequencies = self._frequencies
        if token not in frequencies:
            frequencies[token] = self._searcher.doc_freq("body", token)
        return frequencies[token]

    def idf(self, token: str) -> float:
        return bm25_idf(self.size(), self.document_frequency(token))

    def sync(self, kb) -> SyncReport:
        """Add the chunks the collection has and the index lacks; delete those it no longer has. Idempotent: a
        chunk is deleted before it is added, so a sync interrupted after its commit is repeated harmlessly."""
        import tantivy

        version, delta = kb.changes_since(self.version)  # read first: a later change is the next sync's
        have = set(self._ids())
        if delta is not None:
            new, gone = sorted(delta.added), sorted(delta.removed & have)
        if delta is None or len(have) + len(set(new) - have) - len(gone) != kb.count():
            wanted = set(kb.all_ids())  # the log cannot tell, or it missed a change: compare the id lists
            new, gone = sorted(wanted - have), sorted(have - wanted)
        if not new and not gone:
            return self._synced(version, SyncReport(0, 0))
        try:
            writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        except ValueError as error:  # tantivy allows one writer per index directory
            if "LockBusy" not in str(error):
                raise
            return SyncReport(0, 0, busy=True)
        for chunk_id in gone + new:
            writer.delete_documents_by_term("chunk_id", chunk_id)
        titles = dict(self.titles())
        for chunk in kb.iter_chunks(new):  # a page of texts in memory at a time, not the whole base
            writer.add_document(tantivy.Document(**_fields(chunk)))
            titles[chunk.source] = chunk.title
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._reopen()
        self._write_ids(sorted((have - set(gone)) | set(new)))
        self._write_json(TITLES_FILE, {s: t for s, t in sorted(titles.items()) if self._has_source(s)})
        self._titles = self._title_index = None
        return self._synced(version, SyncReport(len(new), len(gone)))

    def _synced(self, version: str, report: SyncReport) -> SyncReport:
        """Record the version synced to, last: a process that sees it finds the index and titles complete."""
        self.state = {"tokenizer": tokenizer_key(), "version": version}
        self._write_json(STATE_FILE, self.state)
        return report

    def search(self, tokens: list[str], where: dict[str, list[str]], limit: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best chunks for the tokens; `where` maps a filter field (source, lang,
        doc_type, industries) to the values one of which the chunk must have."""
        import tantivy

        if not tokens:
            return []
        query_terms = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "body", t)) for t in tokens]
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(query_terms))]
        for field, values in where.items():
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, field, list(values))))
        searcher = self._searcher
        found = searcher.search(tantivy.Query.boolean_query(clauses), min(limit, MAX_SEARCH_LIMIT))
        return [(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in found.hits]

    def _has_source(self, source: str) -> bool:
        import tantivy

        query = tantivy.Query.term_query(self.schema, "source", source)
        return bool(self._searcher.search(query, 1).hits)

    def _ids(self) -> list[str]:
        path = self.directory / IDS_FILE
        return path.read_text(encoding="utf-8").split() if path.exists() else []

    def _write_ids(self, ids: list[str]) -> None:
        with atomic_path(self.directory / IDS_FILE) as tmp:
            tmp.write_text("\n".join(ids), encoding="utf-8")

    def _read_state(self) -> dict:
        try:
            return json.loads((self.directory / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_json(self, name: str, payload: dict) -> None:
        with atomic_path(self.directory / name) as tmp:
            tmp.write_text(json.dumps(payload), encoding="utf-8")


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
    for field in ("source", "lang", "doc_type", "industries"):
        builder.add_text_field(field, stored=False, tokenizer_name="raw")
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


def _fields(chunk: Chunk) -> dict:
    return {"chunk_id": chunk.chunk_id, "source": chunk.source, "lang": chunk.lang, "doc_type": chunk.doc_type,
            "industries": list(chunk.industries) or ["general"], "body": " ".join(tokenize(chunk.indexed_text))}
