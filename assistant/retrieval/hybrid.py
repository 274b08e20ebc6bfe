"""Hybrid retrieval: dense (Chroma) + BM25, weighted reciprocal-rank fusion, filters, de-duplication."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.config import Settings
from assistant.errors import BadInputError
from assistant.glossary import load_glossary
from assistant.industries import industry_mentions
from assistant.models import DOC_TYPES, LANGS, Chunk, Hit
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.lexical_store import LexicalStore
from assistant.retrieval.lexicon import load_lexicon
from assistant.retrieval.store import KnowledgeBase
from assistant.text import detect_language, tokenize, word_tags

MIN_NAME_CHARS = 2  # a one-letter or one-character word names nothing
MAX_NAMED_SOURCES = 5  # a word in more titles than this is a topic, not a name
# A word the glossary does not know names an entity when it is written as a name: a capitalised Latin word
# ('Acme', 'PCA'), a Chinese word jieba tags as a person, place, organisation or other proper noun ('华锐', '京东'),
# or a noun all but confined to the documents titled with it ('星辰' of '星辰精密', 'peanut'). Verbs and common
# words of a case study's sentence-like title ('降低', '公司', 'returns') are not names.
PROPER_NOUN_TAGS = ("nr", "ns", "nt", "nz")
NAME_CONCENTRATION = 0.9  # share of the passages using a common noun that its titled documents must hold
# A filtered dense search reads this many times the candidates unfiltered and filters them here: Chroma resolves a
# metadata filter over the whole collection before its vector search (24 s per question at 1M chunks).
DENSE_FILTER_OVERFETCH = 8


FILTER_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class SearchFilters:
    """Metadata filters; an industry filter also admits documents tagged 'general' (they apply everywhere)."""

    industry: str | None = None
    doc_type: str | None = None
    lang: str | None = None
    source: str | None = None
    sources: tuple[str, ...] = ()  # any of these (the documents about an entity the question names)

    def __post_init__(self):
        """Values reach Chroma's `where`: names as front matter writes them (any document type or language code),
        never an operator expression or a list from a request."""
        for key, examples in (("doc_type", DOC_TYPES[:2]), ("lang", LANGS)):
            value = getattr(self, key)
            if value is not None and not (isinstance(value, str) and FILTER_NAME_RE.fullmatch(value)):
                raise BadInputError(f"{key} must be a name such as {' or '.join(examples)}")
        if not all(isinstance(v, str) for v in (self.industry or "", self.source or "", *self.sources)):
            raise BadInputError("filters must be text")

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.industry:
            clauses.append({"$or": [{"industries": {"$contains": self.industry}},
                                    {"industries": {"$contains": "general"}}]})
        clauses += [{key: value} for key, value in
                    (("doc_type", self.doc_type), ("lang", self.lang), ("source", self.source)) if value]
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    @property
    def narrow(self) -> bool:
        """Filters to named sources: Chroma finds their few chunks by an indexed lookup, cheaply."""
        return bool(self.source or self.sources)

    def admits(self, chunk: Chunk) -> bool:
        """`where` read in Python, for dense hits fetched unfiltered."""
        return ((not self.industry or bool({self.industry, "general"} & set(chunk.industries)))
                and all(value is None or getattr(chunk, key) == value
                        for key, value in (("doc_type", self.doc_type), ("lang", self.lang), ("source", self.source)))
                and (not self.sources or chunk.source in self.sources))

    def lexical_where(self) -> dict[str, list[str]]:
        """The same filters for the BM25 store: each field maps to the values one of which a chunk must have."""
        where = {key: [value] for key, value in (("doc_type", self.doc_type), ("lang", self.lang)) if value}
        if self.industry:
            where["industries"] = [self.industry, "general"]
        if self.source or self.sources:
            named = set(self.sources or [self.source])
            where["source"] = sorted(named & {self.source} if self.source else named)
        return where


@dataclass
class SearchResult:
    query: str
    query_tokens: list[str]
    expanded_terms: list[str]
    hits: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"query": self.query, "expanded_terms": self.expanded_terms, "hits": [h.to_dict() for h in self.hits]}


class HybridSearcher:
    """Ranks chunks of one knowledge base for a query; every score that ranked a hit is kept on the hit."""

    def __init__(self, kb: KnowledgeBase, lexical: LexicalStore, embedder: Embedder, settings: Settings):
        self.kb, self.lexical, self.embedder, self.settings = kb, lexical, embedder, settings

    def search(self, query: str, filters: SearchFilters | None = None, k: int | None = None,
               lexical_extra: str = "") -> SearchResult:
        """The k best passages; `lexical_extra` are words the lexical side also looks for (a strategy question's
        '改进策略'), which the dense side and the matched terms leave out."""
        filters = filters or SearchFilters()
        k = k or self.settings.top_k
        glossary = load_glossary()
        expanded = glossary.expand(query) if self.settings.glossary_expansion else []
        rendered = self._renderings(query)
        query_tokens = _unique(tokenize(query) + [t for term in expanded for t in tokenize(term)] + rendered)
        result = SearchResult(query, query_tokens, expanded)
        dense = self._dense(query, expanded + rendered, filters)
        lexical = self._lexical(_unique(query_tokens + tokenize(lexical_extra)), filters, dense)
        named = {key for _, key in industry_mentions(query)}
        result.hits = self._fuse(dense, lexical, query_tokens, named, k)
        return result

    def _renderings(self, query: str) -> list[str]:
        """The query's words in the other language (a general lexicon's renderings the knowledge base uses):
        a Chinese question then meets English passages, and back, beyond the glossary's terms."""
        if not self.settings.cross_language_expansion:
            return []
        lexicon, frequency = load_lexicon(), self.lexical.document_frequency
        return _unique([token for word in tokenize(query, search=False)
                        for rendering in lexicon.renderings(word, frequency)
                        for token in rendering])

    def named_sources(self, query: str) -> tuple[str, ...]:
        """The documents about the entity the query names (a company, a plant, a product, a programme): those
        whose title has the query's rarest title word, in either language, if a few documents at most do."""
        glossary = load_glossary()
        by_word: dict[str, set[str]] = {}
        for word in dict.fromkeys(tokenize(query, search=False)):
            if len(word) < MIN_NAME_CHARS or word.isdigit():
                continue
            groups = glossary.matching_groups(word)
            if any(not group.named for group in groups):  # a QC term ('客户投诉', '8D') is a topic, not a name
                continue
            names = {word} | {term for group in groups for term in group.terms}
            found = self.lexical.sources_titled(names)
            if 0 < len(found) <= MAX_NAMED_SOURCES and (groups or self._written_as_name(word, query, found)):
                by_word[word] = found
        rarest = min((len(found) for found in by_word.values()), default=0)
        return tuple(sorted({s for found in by_word.values() if len(found) == rarest for s in found}))

    def _written_as_name(self, word: str, query: str, titled: set[str]) -> bool:
        """The rule above PROPER_NOUN_TAGS, for a token of the query found in a few titles. The part-of-speech
        tags are read only for such a Chinese word, not for every question."""
        if word.isascii():
            written = re.findall(rf"\b{re.escape(word)}\w*", query, re.IGNORECASE)
            proper = any(w[:1].isupper() and (query.find(w) > 0 or sum(map(str.isupper, w)) > 1) for w in written)
            noun = True
        else:
            tag = word_tags(query).get(word, "")
            proper, noun = tag.startswith(PROPER_NOUN_TAGS), tag.startswith("n")
        return proper or (noun and self._concentrated(word, titled))

    def _concentrated(self, word: str, sources: set[str]) -> bool:
        """All but a few passages using the word (its rarest index token) come from these documents."""
        tokens = tokenize(word)
        if not tokens:
            return False
        token = min(tokens, key=self.lexical.document_frequency)
        total = self.lexical.document_frequency(token)
        return total > 0 and self.lexical.frequency_in(token, sources) >= NAME_CONCENTRATION * total

    def search_named_first(self, query: str, filters: SearchFilters, k: int, lexical_extra: str = "") -> SearchResult:
        """The documents about a named entity first, marked as such; the rest of the knowledge base fills in."""
        result = self.search(query, filters, k, lexical_extra)
        named = self.named_sources(query)
        if not named:
            return result
        own = self.search(query, replace(filters, sources=named), k, lexical_extra).hits[:k // 2]
        for hit in own:
            hit.named = True
        ids = {h.chunk.chunk_id for h in own}
        result.hits = own + [h for h in result.hits if h.chunk.chunk_id not in ids][:k - len(own)]
        return result

    def _dense(self, query: str, expanded: list[str], filters: SearchFilters) -> dict[str, tuple[Chunk, float]]:
        # The bundled model reads English only: a Chinese query also carries the English names of its terms.
        english = [t for t in expanded if t.isascii()] if detect_language(query) == "zh" else []
        vector = self.embedder.embed([" ".join([query, *english])])[0]
        k, where = self.settings.candidate_k, filters.where()
        if where is None or filters.narrow:
            return {chunk.chunk_id: (chunk, score) for chunk, score in self.kb.dense_search(vector, k, where)}
        nearest = self.kb.dense_search(vector, k * DENSE_FILTER_OVERFETCH, None)
        found = [(chunk, score) for chunk, score in nearest if filters.admits(chunk)][:k]
        if len(found) < k and len(nearest) == k * DENSE_FILTER_OVERFETCH:
            found = self.kb.dense_search(vector, k, where)  # a filter few of the nearest chunks pass: Chroma's way
        return {chunk.chunk_id: (chunk, score) for chunk, score in found}

    def _lexical(self, query_tokens: list[str], filters: SearchFilters,
                 dense: dict[str, tuple[Chunk, float]]) -> dict[str, tuple[Chunk, float]]:
        """The BM25 store's best chunks; texts are read by id for the hits the dense side did not bring."""
        found = self.lexical.search(query_tokens, filters.lexical_where(), self.settings.candidate_k)
        found.sort(key=lambda pair: (-pair[1], pair[0]))  # ties in chunk-id order, the same on every machine
        texts = {c.chunk_id: c for c in self.kb.chunks_by_ids([i for i, _ in found if i not in dense])}
        texts.update((chunk_id, chunk) for chunk_id, (chunk, _) in dense.items())
        return {chunk_id: (texts[chunk_id], score) for chunk_id, score in found if chunk_id in texts}

    def _fuse(self, dense: dict, lexical: dict, query_tokens: list[str], named_industries: set[str],
              k: int) -> list[Hit]:
        s = self.settings
        hits: dict[str, Hit] = {}
        for weight, ranked, attr in ((s.dense_weight, dense, "dense_score"), (s.lexical_weight, lexical, "bm25_score")):
            if weight <= 0:
                continue  # a side switched off contributes no candidates either
            for rank, (chunk_id, (chunk, score)) in enumerate(ranked.items()):
                hit = hits.setdefault(chunk_id, Hit(chunk))
                setattr(hit, attr, score)
                hit.fused_score += weight / (s.rrf_k + rank + 1)
        for hit in hits.values():
            # A question that names an industry prefers that industry's documents (a soft filter).
            if named_industries & set(hit.chunk.industries):
                hit.fused_score *= 1 + s.industry_boost
            # An editor's corrected answer (an FAQ entry) is preferred when a later question matches it.
            if hit.chunk.doc_type == "faq":
                hit.fused_score *= 1 + s.faq_boost
        kept: list[tuple[Hit, set[str]]] = []
        for hit in sorted(hits.values(), key=lambda h: (-h.fused_score, h.chunk.chunk_id)):
            if len(kept) == k:
                break  # tokenizing is most of a search's time: only the passages returned are read
            tokens = set(tokenize(hit.chunk.indexed_text))
            if any(_jaccard(tokens, seen) >= s.dedup_jaccard for _, seen in kept):
                continue  # a near-duplicate of a better-ranked passage adds nothing
            hit.matched_terms = [t for t in query_tokens if t in tokens]
            kept.append((hit, tokens))
        return [hit for hit, _ in kept]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class QCRetriever(BaseRetriever):
    """LangChain adapter over HybridSearcher: Documents carry the chunk metadata and the scores."""

    searcher: HybridSearcher
    filters: SearchFilters = SearchFilters()
    k: int = 5

    model_config = {"arbitrary_types_allowed": True}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.searcher.search(query, self.filters, self.k)
        return [Document(page_content=h.chunk.text, id=h.chunk.chunk_id,
                         metadata={key: value for key, value in h.to_dict().items() if key != "text"})
                for h in result.hits]
