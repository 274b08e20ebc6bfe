"""The one object the CLI, the app and the evals use: models load once, knowledge bases open on demand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.prompt import HISTORY_TURNS
from assistant.auth import User, UserStore, require_manage
from assistant.config import Settings, get_settings
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.industries import normalize_industry
from assistant.models import Answer
from assistant.retrieval.embeddings import Embedder, get_embedder
from assistant.retrieval.hybrid import HybridSearcher, SearchFilters, SearchResult
from assistant.retrieval.lexical import LexicalIndex, load_lexical_index
from assistant.retrieval.store import KnowledgeBase, make_client, validate_kb_name


class Assistant:
    """Every public method takes an optional `user`. None is a trusted in-process caller (the CLI, the evals, the
    work products after the app checked access); the app always passes the signed-in User from `user_for`."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._client = None
        self._kbs: dict[str, KnowledgeBase] = {}
        self._lexical: dict[str, LexicalIndex] = {}
        self._rebuilding: set[str] = set()
        self._lock = threading.RLock()

    @property
    def embedder(self) -> Embedder:
        settings = self.settings
        return get_embedder(settings.embedding_model, settings.embedding_batch_size, settings.embedding_server(),
                            settings.openai_api_key, settings.llm_timeout)

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

    def lexical(self, name: str = "default") -> LexicalIndex:
        """The BM25 index. One small read of the collection's version per call tells whether another process
        changed it; then the index is rebuilt in a background thread while the previous one keeps answering, so
        no question waits for a rebuild (this process's own writes rebuild it as part of the write)."""
        kb = self.kb(name)
        version = kb.version()
        with self._lock:
            cached = self._lexical.get(name)
            if cached is not None and cached.version != version and name not in self._rebuilding:
                self._rebuilding.add(name)
                threading.Thread(target=self._rebuild_lexical, args=(name,), daemon=True).start()
        if cached is not None:
            return cached
        with self._lock:  # the first build: once, by whoever asks first
            return self._lexical.get(name) or self._rebuild_lexical(name)

    def _rebuild_lexical(self, name: str) -> LexicalIndex:
        try:
            index = load_lexical_index(self.kb(name), self.settings.kb_dir(name))
            with self._lock:
                self._lexical[name] = index
            return index
        finally:
            with self._lock:
                self._rebuilding.discard(name)

    def require_content(self, name: str = "default") -> None:
        """Work products and evals on an empty knowledge base would only refuse; say why instead."""
        if not self.lexical(name).chunks:
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
        files = {Path(e.path): e.source for e in sorted(self.kb(kb).manifest().values(), key=lambda e: e.source)}
        missing = [source for path, source in files.items() if not path.is_absolute() or not path.is_file()]
        if missing:
            raise BadInputError(f"cannot rebuild '{kb}': {len(missing)} source file(s) are gone, e.g. {missing[0]}; "
                                "delete those sources first")
        report = self.ingest(list(files), kb, reindex=True, progress=False, user=user, names=files)
        return {"kb": kb, "sources": len(files), "chunks": report.chunks_added, "seconds": report.seconds}

    def list_sources(self, kb: str = "default", user: User | None = None) -> dict:
        self.check_read(kb, user)
        entries = sorted(self.kb(kb).manifest().values(), key=lambda e: e.source)
        return {"kb": kb, "sources": [{"source": e.source, "title": e.title, "chunks": len(e.chunk_ids),
                                       "ingested_at": e.ingested_at} for e in entries]}

    def stats(self, kb: str = "default") -> dict:
        chunks = self.lexical(kb).chunks
        by_lang: dict[str, int] = {"zh": 0, "en": 0}
        for chunk in chunks:
            by_lang[chunk.lang] = by_lang.get(chunk.lang, 0) + 1
        return {"kb": kb, "sources": len({c.source for c in chunks}), "chunks": len(chunks), "by_lang": by_lang}

    def delete_source(self, source: str, kb: str = "default", user: User | None = None) -> dict:
        self.check_manage(user)
        self.check_read(kb, user)
        removed = self.kb(kb).delete_source(source)
        self._after_write(kb)
        return {"kb": kb, "source": source, "chunks_removed": removed}

    def _after_write(self, kb: str) -> None:
        """A loaded index is brought up to date as part of this process's own write, so its next question sees
        the change at once; one never loaded is built when first needed."""
        if kb in self._lexical:
            self._rebuild_lexical(kb)


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
