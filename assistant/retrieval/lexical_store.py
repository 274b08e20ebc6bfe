"""A persistent, incremental BM25 index of one knowledge base, for knowledge bases too large to hold in memory:
tantivy segments on disk (memory-mapped), holding each chunk's id, its filter fields and its tokens, never its
text (the texts stay in Chroma and are fetched by id for the hits). A sync adds the chunks the collection gained
and deletes those it lost, tokenizing only the new ones; reopening after a restart reads nothing back.

Not yet what the searcher reads (that is still `lexical.LexicalIndex`): the scale work wires it in next."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.files import atomic_path
from assistant.models import Chunk
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

    @property
    def version(self) -> str:
        return str(self.state.get("version", ""))

    def size(self) -> int:
        return self.index.searcher().num_docs

    def titles(self) -> dict[str, str]:
        """Each source's title: one small file, however many chunks the sources have."""
        path = self.directory / TITLES_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def document_frequency(self, token: str) -> int:
        return self.index.searcher().doc_freq("body", token)

    def sync(self, kb) -> SyncReport:
        """Add the chunks the collection has and the index lacks; delete those it no longer has. Idempotent: a
        chunk is deleted before it is added, so a sync interrupted after its commit is repeated harmlessly."""
        import tantivy

        version = kb.version()  # read first: a change made during the sync leaves the next one to do
        wanted, have = set(kb.all_ids()), set(self._ids())
        new, gone = sorted(wanted - have), sorted(have - wanted)
        try:
            writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        except ValueError as error:  # tantivy allows one writer per index directory
            if "LockBusy" not in str(error):
                raise
            return SyncReport(0, 0, busy=True)
        for chunk_id in gone + new:
            writer.delete_documents_by_term("chunk_id", chunk_id)
        titles = self.titles()
        for chunk in kb.iter_chunks(new):  # a page of texts in memory at a time, not the whole base
            writer.add_document(tantivy.Document(**_fields(chunk)))
            titles[chunk.source] = chunk.title
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._write_ids(sorted((have - set(gone)) | set(new)))
        self._write_json(TITLES_FILE, {s: t for s, t in sorted(titles.items()) if self._has_source(s)})
        self.state = {"tokenizer": tokenizer_key(), "version": version}
        self._write_json(STATE_FILE, self.state)
        return SyncReport(len(new), len(gone))

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
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.boolean_query(clauses), min(limit, MAX_SEARCH_LIMIT))
        return [(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in found.hits]

    def _has_source(self, source: str) -> bool:
        import tantivy

        query = tantivy.Query.term_query(self.schema, "source", source)
        return bool(self.index.searcher().search(query, 1).hits)

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
