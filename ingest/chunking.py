"""Chunking: follow headings, then sentence boundaries, sized in the embedding model's word pieces."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable

from assistant.models import Chunk, source_label
from assistant.text import join_sentences, split_sentences, strip_list_marker
from ingest.loaders import LoadedDocument

_CLAUSE_RE = re.compile(r"(?<=[，,、：:])")
# A piece's size is its word pieces, but at least its characters / MAX_CHARS_PER_PIECE: the tokenizer reads a
# line without spaces (a base64 blob, a 1 MB run of letters) as one unknown piece, which would otherwise make
# one enormous chunk. English runs about 4-5 characters per word piece, URLs and codes 6-8.
MAX_CHARS_PER_PIECE = 8


def chunk_document(
    doc: LoadedDocument, count_tokens: Callable[[str], int], target_tokens: int, overlap_tokens: int,
    max_tokens: int,
) -> list[Chunk]:
    """Chunks that never exceed the model's window, prefix (title › section) included."""
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in doc.sections:
        prefix = source_label(doc.title, section.path)
        budget = max(16, min(target_tokens, max_tokens - count_tokens(prefix) - 2))
        for text in _pack(split_sentences(section.text), count_tokens, budget, overlap_tokens):
            chunk = _make_chunk(doc, section.path, section.page, text, len(chunks))
            if chunk.chunk_id not in seen:
                seen.add(chunk.chunk_id)
                chunks.append(chunk)
    return chunks


def _make_chunk(doc: LoadedDocument, section: str, page: int | None, text: str, position: int) -> Chunk:
    # The id is a hash of the content and its place, so unchanged text keeps its id across re-ingests.
    digest = hashlib.sha256(f"{doc.source}\n{section}\n{text}".encode()).hexdigest()[:24]
    return Chunk(
        chunk_id=digest, text=text, source=doc.source, title=doc.title, lang=doc.lang, section=section,
        page=page, doc_type=doc.doc_type, industries=tuple(doc.industries), tags=tuple(doc.tags),
        position=position,
    )


def _pack(sentences: list[str], count: Callable[[str], int], budget: int, overlap: int) -> list[str]:
    """Greedy packing of sentences up to the budget, carrying the last sentences over as overlap."""
    pieces = [p for s in sentences for p in _fit(s, count, budget) if p]
    sizes = [_size(p, count) for p in pieces]
    chunks: list[str] = []
    current: list[int] = []
    for i, size in enumerate(sizes):
        if current and sum(sizes[j] for j in current) + size > budget:
            chunks.append(_join([pieces[j] for j in current]))
            carried: list[int] = []
            carried_size = 0
            for j in reversed(current):
                carried_size += sizes[j]
                if carried_size > overlap or carried_size + size > budget:
                    break
                carried.insert(0, j)
            current = carried
        current.append(i)
    if current:
        chunks.append(_join([pieces[j] for j in current]))
    return chunks


def _join(pieces: list[str]) -> str:
    """Sentences joined as text, except that a list item starts its own line, so the list stays a list."""
    lines: list[list[str]] = []
    for piece in pieces:
        if not lines or strip_list_marker(piece) != piece:
            lines.append([piece])
        else:
            lines[-1].append(piece)
    return "\n".join(join_sentences(line) for line in lines)


def _size(text: str, count: Callable[[str], int]) -> int:
    return max(count(text), math.ceil(len(text) / MAX_CHARS_PER_PIECE))


def _fit(sentence: str, count: Callable[[str], int], budget: int) -> list[str]:
    """Split an over-long sentence at clause marks, then by length, until every piece fits."""
    if _size(sentence, count) <= budget:
        return [sentence]
    clauses = [c for c in _CLAUSE_RE.split(sentence) if c]
    if len(clauses) > 1:
        return [p for c in _pack(clauses, count, budget, 0) for p in _fit(c, count, budget)]
    half = len(sentence) // 2
    cut = sentence.rfind(" ", 0, half) if " " in sentence[:half] else half
    cut = cut if cut > 0 else half
    return _fit(sentence[:cut].strip(), count, budget) + _fit(sentence[cut:].strip(), count, budget)
