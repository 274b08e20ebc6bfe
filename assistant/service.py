"""The one object the CLI, the app and the evals use: models load once, knowledge bases open on demand."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.prompt import HISTORY_TURNS
from assistant.auth import User, UserStore, require_manage
from assistant.config import Settings, get_settings
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.industries import normalize_industry
from assistant.models import LANGS, Answer
from assistant.retrieval.embeddings import Embedder, get_embedder
from assistant.retrieval.hybrid import HybridSearcher, SearchFilters, SearchResult
from assistant.retrieval.lexical_store import LexicalStore
from assistant.retrieval.sources import listed, remove_kept_file, uploads_prefix
from assistant.retrieval.store import KnowledgeBase, make_client, validate_kb_name

log = logging.getLogger(__name__)
LEXICAL_DIR = "lexical"  # the knowledge base's BM25 store, under its directory in the data dir
RETIRED_CACHE = "bm25.json"  # the in-memory index's cache (every chunk's text again) that the store replaced
SYNC_WAIT_SECONDS = 10.0  # a write waits this long for another process's sync of the same store to finish
SYNC_RETRY_SECONDS = 0.2


class Assistant:
    """Every public method takes an optional `user`. None is a trusted in-process caller (the CLI, the evals, the
    work products after the app checked access); the app always passes the signed-in User from `user_for`."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._client = None
        self._kbs: dict[str, KnowledgeBase] = {}
        self._lexical: dict[str, LexicalStore] = {}
        self._syncing: dict[str, threading.Lock] = {}
        self._lock = threading.RLock()

    @property
    def embedder(self) -> Embedder:
        settings = self.settings
        return get_embedder(settings.embedding_model, settings.embedding_batch_size, settings.embedding_server(),
                            settings.openai_api_key, settings.llm_timeout, settings.models_dir)

    def access(self) -> UserStore | None:
        """The users and knowledge-base restrictions when an auth file is configured, else None (open app)."""
        return UserStore(self.settings.auth_file) if self.settings.auth_file else None

    def user_for(self, name: str | None) -> User | None:
        """The User signed in as `name`; None without an auth file; PermissionDeniedError if unknown."""
        store = self.access()
        if store is None:
            return None
        user = store.get(name) if name else None
        if user is None:
            raise PermissionDeniedError("please sign in first")
        return user

    def check_read(self, kb: str, user: User | None = None, create: bool = False) -> str:
        """The validated kb name; PermissionDeniedError if auth is configured and the user may not read it.
        Naming a knowledge base that does not exist is an error unless the caller may create it (`create`, after
        check_manage): a question or a search never creates one."""
        validate_kb_name(kb)
        store = self.access()
        if store is not None and user is not None:  # first: who may not read it does not learn whether it exists
            store.require_read(user, kb)
        if not create and kb != "default" and kb not in self._kbs and kb not in self._stored_kbs():
            raise BadInputError(f"there is no knowledge base '{kb}'")
        return kb

    def check_manage(self, user: User | None = None) -> None:
        """PermissionDeniedError if auth is configured and the user is not an editor or admin."""
        if self.access() is not None and user is not None:
            require_manage(user)

    def check_backend(self, requested: str | None, user: User | None = None) -> str | None:
        """The backend an app request may use: None (the configured one) unless it names another offered one
        (Settings.offered_backends), which only an admin may choose when sign-in is on. The request's text is
        never parsed as a backend, so it cannot name a model file or probe the server's disk."""
        if not requested or requested == self.settings.backend:
            return None
        if requested not in self.settings.offered_backends:
            raise PermissionDeniedError(f"that backend is not offered here; choose one of: "
                                        f"{', '.join(self.settings.offered_backends)}")
        if self.access() is not None and (user is None or user.role != "admin"):
            raise PermissionDeniedError("only an admin may choose the backend")
        return requested

    def kb_names(self, user: User | None = None) -> list[str]:
        """Knowledge bases in the store ('default' always), only those the user may read."""
        store, ordered = self.access(), sorted(self._stored_kbs() | {"default"})
        return store.readable_kbs(user, ordered) if store is not None and user is not None else ordered

    def _stored_kbs(self) -> set[str]:
        with self._lock:
            if self._client is None:
                self._client = make_client(self.settings)
            return {c.name[4:] for c in self._client.list_collections() if c.name.startswith("qca-")}

    def create_kb(self, name: str, user: User | None = None) -> dict:
        """An empty knowledge base (editors and admins)."""
        self.check_manage(user)
        return {"kb": self.kb(name).kb, "chunks": self.kb(name).count()}

    def kb(self, name: str = "default") -> KnowledgeBase:
        validate_kb_name(name)  # before any model loads, so a typo fails fast
        with self._lock:
            if name not in self._kbs:
                if self._client is None:
                    self._client = make_client(self.settings)
                from ingest.journal import replay_interrupted

                knowledge_base = KnowledgeBase(self._client, name, self.embedder.name)
                replay_interrupted(knowledge_base, self.settings.kb_dir(name))  # no half file after a kill
                self._kbs[name] = knowledge_base
            return self._kbs[name]

    def lexical(self, name: str = "default") -> LexicalStore:
        """The BM25 store. One small read of the collection's version per call tells whether another process
        changed the knowledge base; then the store takes up the changed chunks in a background thread while the
        previous state keeps answering, so no question waits for it. Only a store never synced is synced first."""
        version = self.kb(name).version()
        store = self._store(name)
        if store.version != version:
            store.refresh()  # another process sharing the data dir may have synced it already
        if not store.version:
            self._sync(name, wait=True)
        elif store.version != version and not self._syncing[name].locked():
            threading.Thread(target=self._sync, args=(name,), daemon=True).start()
        return store

    def _store(self, name: str) -> LexicalStore:
        with self._lock:
            if name not in self._lexical:
                (self.settings.kb_dir(name) / RETIRED_CACHE).unlink(missing_ok=True)
                self._lexical[name] = LexicalStore(self.settings.kb_dir(name) / LEXICAL_DIR)
                self._syncing[name] = threading.Lock()
            return self._lexical[name]

    def _sync(self, name: str, wait: bool = False) -> None:
        """Bring the store up to date; with `wait`, until done (this process's own writes, a first use), else
        once if nothing else is syncing it (a busy store is taken up by a later question)."""
        deadline = time.monotonic() + SYNC_WAIT_SECONDS
        lock = self._syncing[name]
        while True:
            if lock.acquire(blocking=wait):
                try:
                    if not self._lexical[name].sync(self.kb(name)).busy:
                        return
                finally:
                    lock.release()
            elif not wait:
                return  # this process is syncing it already
            if not wait or time.monotonic() > deadline:
                log.warning("the BM25 store of '%s' is busy (another process is writing it); synced later", name)
                return
            time.sleep(SYNC_RETRY_SECONDS)

    def require_content(self, name: str = "default") -> None:
        """Work products and evals on an empty knowledge base would only refuse; say why instead."""
        if not self.kb(name).count():
            hint = " (run: qcassist ingest corpus/)" if name == "default" else ""
            raise BadInputError(f"knowledge base '{name}' is empty{hint}; data directory: {self.settings.data_dir}")

    def searcher(self, name: str = "default") -> HybridSearcher:
        return HybridSearcher(self.kb(name), self.lexical(name), self.embedder, self.settings)

    def search(self, query: str, kb: str = "default", industry: str | None = None, doc_type: str | None = None,
               lang: str | None = None, source: str | None = None, k: int | None = None,
               user: User | None = None) -> SearchResult:
        self.check_read(kb, user)
        _require_text(query, "query")
        _require_count(k, "k", self.settings.candidate_k)
        from assistant.answering.injection import flagged_sentences

        filters = SearchFilters(normalize_industry(industry), doc_type, lang, source)
        result = self.searcher(kb).search(query, filters, k)
        for hit in result.hits:  # the debugger shows which sentences answers leave out
            hit.flagged = flagged_sentences(hit.chunk.text)
        return result

    def context(self, kb: str = "default", backend: str | None = None):
        """Everything one answer needs, from parts loaded once and shared between requests."""
        from assistant.answering.chain import ChainContext
        from assistant.answering.llm import LLMComposer, make_chat_model, parse_backend
        from assistant.answering.reader import load_reader

        spec = parse_backend(backend or self.settings.backend)
        searcher = self.searcher(validate_kb_name(kb))
        llm = None if spec.provider == "extractive" else LLMComposer(make_chat_model(spec, self.settings), spec,
                                                                     self.settings)
        return ChainContext(searcher, load_reader(), ExtractiveComposer(self.settings.answer_sentences),
                            self.settings, llm)

    def _state(self, question: str, industry: str | None, history: list[dict[str, str]] | None,
               doc_type: str | None = None, lang: str | None = None):
        from assistant.answering.chain import ChainState

        _require_text(question, "question")
        limit = self.settings.max_question_chars
        if len(question) > limit:  # refused before any work is done, the same for the CLI and the app
            raise BadInputError(f"the question has {len(question):,} characters; the limit is {limit:,} "
                                "(QCA_MAX_QUESTION_CHARS)")
        filters = SearchFilters(normalize_industry(industry), doc_type or None, lang or None)
        return ChainState(question.strip(), _recent_turns(history or [], limit), filters)

    def ask(self, question: str, kb: str = "default", industry: str | None = None,
            history: list[dict[str, str]] | None = None, backend: str | None = None,
            user: User | None = None, doc_type: str | None = None, lang: str | None = None) -> Answer:
        *_, answer = self.stream(question, kb, industry, history, backend, user, doc_type, lang)
        return answer

    def stream(self, question: str, kb: str = "default", industry: str | None = None,
               history: list[dict[str, str]] | None = None, backend: str | None = None,
               user: User | None = None, doc_type: str | None = None,
               lang: str | None = None) -> Iterator[str | Answer]:
        """Text deltas as they are produced (tokens from an LLM, sentences from the extractive composer),
        then the verified Answer, whose text replaces what was streamed."""
        from assistant.answering.chain import stream_answer

        self.check_read(kb, user)
        state = self._state(question, industry, history, doc_type, lang)
        return stream_answer(self.context(kb, backend), state)

    def ingest(self, paths: list[Path], kb: str = "default", reindex: bool = False, progress: bool = True,
               user: User | None = None, names: dict[Path, str] | None = None):
        from ingest.pipeline import ingest_paths

        self.check_manage(user)
        self.check_read(kb, user, create=True)
        knowledge_base = self.kb(kb)
        if reindex:
            knowledge_base.reset()
        report = ingest_paths(paths, knowledge_base, self.embedder, self.settings, progress, names)
        self._after_write(kb)
        return report

    def rebuild(self, kb: str = "default", user: User | None = None) -> dict:
        """Re-ingest every source of the knowledge base from its file, after dropping the index (editors).
        Nothing is dropped when a source's file is gone: that is reported first, so no source is lost."""
        self.check_manage(user)
        self.check_read(kb, user)
        files = {Path(s.path): s.source for s in self.kb(kb).sources()}
        missing = [source for path, source in files.items() if not path.is_absolute() or not path.is_file()]
        if missing:
            raise BadInputError(f"cannot rebuild '{kb}': {len(missing)} source file(s) are gone, e.g. {missing[0]}; "
                                "delete those sources first")
        report = self.ingest(list(files), kb, reindex=True, progress=False, user=user, names=files)
        return {"kb": kb, "sources": len(files), "chunks": report.chunks_added, "seconds": report.seconds}

    def list_sources(self, kb: str = "default", user: User | None = None) -> dict:
        """Each source's id, the name people see (retrieval.sources.display_names) and summary, no server path."""
        self.check_read(kb, user)
        return {"kb": kb, "sources": listed(self.kb(kb).sources(), uploads_prefix(self.settings, kb))}

    def stats(self, kb: str = "default") -> dict:
        """Counts from the BM25 store: a few small reads, however large the knowledge base."""
        store = self.lexical(kb)
        return {"kb": kb, "sources": len(store.titles()), "chunks": store.size(),
                "by_lang": {lang: store.count("lang", lang) for lang in LANGS}}

    def delete_source(self, source: str, kb: str = "default", user: User | None = None) -> dict:
        self.check_manage(user)
        self.check_read(kb, user)
        removed = self.kb(kb).delete_source(source)
        self._after_write(kb)
        return {"kb": kb, "source": source, "chunks_removed": removed,
                "file_removed": remove_kept_file(self.settings, kb, source)}

    def _after_write(self, kb: str) -> None:
        """The BM25 store takes up this process's own write before the write returns, so the next question, in
        this process or any sharing the data dir, sees the change at once."""
        self._store(kb)
        self._sync(kb, wait=True)


def _require_text(value: str, what: str) -> None:
    if not isinstance(value, str):
        raise BadInputError(f"the {what} must be text")
    if not value.strip():
        raise BadInputError(f"the {what} is empty")


def _require_count(value: int | None, what: str, most: int) -> None:
    """None (the default) or a whole number from 1 to `most`."""
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most):
        raise BadInputError(f"{what} must be a whole number from 1 to {most}")


def _recent_turns(history: list, limit: int) -> list[dict[str, str]]:
    """The turns a follow-up is rewritten from: the last few, each cut to the question limit (a long chat is
    not refused; its old turns are simply not read)."""
    if not isinstance(history, list) or not all(isinstance(t, dict) for t in history):
        raise BadInputError('the history must be a list of {"role": ..., "content": ...} turns')
    return [{"role": str(t.get("role", "")), "content": str(t.get("content", ""))[:limit]}
            for t in history[-HISTORY_TURNS:]]
