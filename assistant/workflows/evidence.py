"""The case-evidence table: figures of the case studies (before -> after, or the change), each with its source."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.answering.injection import quotable_sentences
from assistant.models import Chunk
from assistant.text import CJK

CASE_STUDY = "case_study"  # the document type evidence rows come from

_DOWN_ZH, _UP_ZH = "降低了|下降了|减少了|降低|下降|减少", "提升了|提高了|上升了|增加了|提升|提高|上升|增加"
_LEVEL_ZH = "降低至|降至|下降到|降到|下降至"
_ZH_RE = re.compile(rf"(?P<metric>[{CJK}A-Za-z（）()]{{2,20}}?)(?P<verb>{_LEVEL_ZH}|{_DOWN_ZH}|{_UP_ZH})"
                    r"(?P<value>\d+(?:\.\d+)?)(?P<unit>%|个百分点|分)")
_EN_VERB = r"(?P<verb>fell|dropped|declined|decreased|rose|increased|improved|grew)"
_EN_RE = re.compile(r"(?P<metric>[A-Za-z][A-Za-z ()\-]{2,80}?) " + _EN_VERB +
                    r"(?:,? in this illustrative example,?)?(?: by (?P<by>\d[\d.]*%))?(?:,? from (?:about )?"
                    r"(?P<before>\d[\d.,]*%?)(?: [a-z ]*?)? to (?:about )?(?P<after>\d[\d.,]*%?))?")
_DOWN = {"fell", "dropped", "declined", "decreased"}


@dataclass
class EvidenceRow:
    case: str
    industry: str
    intervention: str
    metric: str
    before: str
    after: str
    change: str
    citation: dict[str, str]
    quote: str = ""  # the sentence the figure was read from, so a document can cite it verbatim

    def to_dict(self) -> dict:
        return asdict(self)


def case_evidence(kb, industry: str | None = None) -> list[EvidenceRow]:
    """A knowledge base's rows, read from its case studies' chunks only (a metadata query): the table costs what
    the case studies hold, not what the whole knowledge base does. `kb` is a retrieval.store.KnowledgeBase."""
    return extract_rows(kb.all_chunks(where={"doc_type": CASE_STUDY}), industry)


def extract_rows(chunks: list[Chunk], industry: str | None = None) -> list[EvidenceRow]:
    """Rows from the case-study passages of a knowledge base (user-ingested ones too), one per figure."""
    rows: dict[tuple[str, str], EvidenceRow] = {}
    for chunk in chunks:
        if chunk.doc_type != CASE_STUDY or (industry and industry not in chunk.industries):
            continue
        for sentence in quotable_sentences(chunk.text):
            for row in _rows_in(sentence, chunk):
                # One figure of one case is one row, however many sentences restate it.
                rows.setdefault((chunk.source, row.change or f"{row.before}->{row.after}"), row)
    return sorted(rows.values(), key=lambda r: (r.industry, r.case))


def _rows_in(sentence: str, chunk: Chunk) -> list[EvidenceRow]:
    found = []
    for match in _ZH_RE.finditer(sentence):
        metric = re.split(r"[，,、；将把使让和与的后]", match["metric"])[-1]
        value = match["value"] + match["unit"]
        if match["verb"] in _LEVEL_ZH.split("|"):
            found.append(_row(chunk, metric, "", value, "", sentence))
        else:
            sign = "-" if match["verb"] in _DOWN_ZH.split("|") else "+"
            found.append(_row(chunk, metric, "", "", sign + value, sentence))
    for match in _EN_RE.finditer(sentence):
        if not (match["by"] or match["after"]):
            continue
        metric = " ".join(re.split(r",", match["metric"])[-1].split()[-6:])
        metric = re.sub(r"^((so|and|then|while|the|a|an) )+", "", metric, flags=re.IGNORECASE)
        sign = "-" if match["verb"] in _DOWN else "+"
        found.append(_row(chunk, metric, match["before"] or "", match["after"] or "",
                          sign + match["by"] if match["by"] else "", sentence))
    return found


def _row(chunk: Chunk, metric: str, before: str, after: str, change: str, sentence: str) -> EvidenceRow:
    intervention = chunk.title.split("：", 1)[-1].split(": ", 1)[-1]
    citation = {"source": chunk.source, "section": chunk.section, "chunk_id": chunk.chunk_id}
    return EvidenceRow(chunk.title, (chunk.industries or ("general",))[0], intervention, metric.strip(), before,
                       after, change, citation, sentence)


def to_markdown(rows: list[EvidenceRow]) -> str:
    lines = ["| case | industry | metric | before | after | change | source |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.case} | {r.industry} | {r.metric} | {r.before} | {r.after} | {r.change} | "
              f"{r.citation['source']} |" for r in rows]
    return "\n".join(lines)


def to_csv(rows: list[EvidenceRow]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case", "industry", "intervention", "metric", "before", "after", "change", "source", "chunk_id"])
    for r in rows:
        writer.writerow([r.case, r.industry, r.intervention, r.metric, r.before, r.after, r.change,
                         r.citation["source"], r.citation["chunk_id"]])
    return out.getvalue()
