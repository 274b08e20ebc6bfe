"""What the app's buttons and API endpoints do, without Gradio: access checks, uploads, work products, feedback.

Every function takes the signed-in user (from Assistant.user_for) and raises QCAError subclasses with messages fit
to show; the UI layer only turns them into {"error": message} or a warning line.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.app.uploads import discard_received, require_inside, store_upload, sweep_orphans
from assistant.auth import User
from assistant.errors import BadInputError, QCAError
from assistant.industries import normalize_industry
from assistant.models import source_label
from assistant.retrieval.sources import shown_source
from assistant.service import Assistant

EXPORT_FORMATS = ("md", "docx", "pdf")
HIT_COLUMNS = ["#", "source", "section", "dense", "bm25", "fused", "matched terms", "flagged (never quoted)"]
UPLOAD_COLUMNS = ["file", "status", "detail"]
EVIDENCE_COLUMNS = ["case", "industry", "intervention", "metric", "before", "after", "change", "source"]
# An answer reads at most QCA_CANDIDATE_K passages; a client's list of its chunk ids is refused well above that.
MAX_CHUNK_IDS = 200
MAX_CHUNK_ID_CHARS = 64
# A stored upload younger than this may be another app instance's ingest in progress: the sweep leaves it.
ORPHAN_MIN_AGE_SECONDS = 3600
# Exports are fetched by the browser right after they are made (Gradio serves its own copy); older ones only fill
# the disk, so each new export removes those older than this.
EXPORT_KEEP_SECONDS = 3600


def escape(text: str) -> str:
    """Document text for a Markdown component: HTML special characters shown as text."""
    return html.escape(text or "", quote=False)


def search_rows(result) -> list[list[Any]]:
    """Table rows of a SearchResult: rank, where, the three scores, the matched terms and the instruction-like
    sentences that answers leave out."""
    rows = []
    for rank, hit in enumerate(result.hits, 1):
        d = hit.to_dict()
        rows.append([rank, d["source"], d["section"] or d["title"], d["dense_score"], d["bm25_score"],
                     d["fused_score"], ", ".join(d["matched_terms"]),
                     "\n".join(f"{f['rule']}: {f['sentence']}" for f in d["flagged"])])
    return rows


def search(assistant: Assistant, user: User | None, query: str, kb: str = "default", industry: str = "",
           k: int | None = None) -> dict:
    return assistant.search(query, kb or "default", industry or None, k=k, user=user).to_dict()


def upload(assistant: Assistant, user: User | None, files: list[tuple[str, str]], kb: str = "default",
           upload_root: Path | None = None, on_file: Callable[[int, int, str], None] | None = None) -> list[dict]:
    """Store each (path, original name) under uploads/<kb> and ingest it; one result row per file.

    With upload_root (the web server's upload folder), a path outside it is refused: a client naming a server
    file such as /etc/hosts must not get it ingested; and the received files in it are deleted once handled,
    stored or refused, so uploads do not pile up in the server's temporary folder."""
    if not isinstance(files, list) or \
            not all(isinstance(f, list | tuple) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in files):
        raise BadInputError("files must be a list of (path, name) pairs")
    try:
        return _upload(assistant, user, files, kb or "default", upload_root, on_file)
    finally:
        if upload_root is not None:
            discard_received([Path(path) for path, _ in files], upload_root)


def _upload(assistant: Assistant, user: User | None, files: list[tuple[str, str]], kb: str,
            upload_root: Path | None, on_file: Callable[[int, int, str], None] | None) -> list[dict]:
    assistant.check_manage(user)
    assistant.check_read(kb, user, create=True)
    if not files:
        raise BadInputError("no file was uploaded")
    dest = assistant.settings.uploads_dir(kb)
    results = []
    for index, (path, name) in enumerate(files):
        if on_file:
            on_file(index, len(files), name)  # progress for the UI: which file of how many
        try:
            require_inside(Path(path), upload_root)
            stored = store_upload(Path(path), name or Path(path).name, dest, assistant.settings.max_upload_mb,
                                  assistant.settings.max_unpacked_mb)
        except QCAError as exc:
            results.append({"file": name, "status": "failed", "detail": str(exc)})
            continue
        results.append(_ingest_stored(assistant, user, stored, name, kb))
    return results


def sweep_orphan_uploads(assistant: Assistant) -> list[Path]:
    """At start-up: stored uploads that no knowledge base lists (left by an ingest killed after the copy)."""
    root = assistant.settings.data_dir / "uploads"
    if not root.is_dir():
        return []
    kept = {entry.path for folder in root.iterdir() if folder.is_dir() and folder.name in assistant.kb_names()
            for entry in assistant.kb(folder.name).sources()}
    return sweep_orphans(root, kept, ORPHAN_MIN_AGE_SECONDS)


def _ingest_stored(assistant: Assistant, user: User | None, stored: Path, name: str, kb: str) -> dict:
    report = assistant.ingest([stored], kb, progress=False, user=user)
    if report.files_failed:
        stored.unlink(missing_ok=True)
        return {"file": name, "status": "failed", "detail": report.files_failed[0]["error"]}
    if report.chunks_added == 0 and report.chunks_removed == 0:
        return {"file": name, "status": "skipped", "detail": "unchanged since the last upload"}
    from ingest.pipeline import source_name

    return {"file": name, "status": "ingested", "source": source_name(stored, assistant.settings),
            "detail": f"{report.chunks_added} chunks added, {report.chunks_removed} removed"}


def table(rows: list[dict], columns: list[str]) -> list[list[Any]]:
    return [[row.get(c, "") for c in columns] for row in rows]


def workflow(assistant: Assistant, user: User | None, kind: str, kb: str = "default", **fields) -> Any:
    """A work product (strategy, onboarding, draft) after checking the user may read the knowledge base."""
    from assistant.workflows.onboarding import build_module
    from assistant.workflows.recommendation import draft, parse_kpis
    from assistant.workflows.strategy import advise

    kb = assistant.check_read(kb or "default", user)
    limit = assistant.settings.max_question_chars
    for name, value in fields.items():  # every field of the forms is text, no longer than a question
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise BadInputError(f"{name} must be text of at most {limit:,} characters")
    assistant.require_content(kb)
    if kind == "strategy":
        return advise(assistant, fields.get("industry"), fields.get("problem"), kb, lang=fields.get("lang") or None)
    if kind == "onboarding":
        return build_module(assistant, fields.get("topic", ""), fields.get("audience") or None,
                            fields.get("length") or "standard", fields.get("lang") or None, kb)
    if kind == "draft":
        kpis = parse_kpis([p.strip() for p in (fields.get("kpis") or "").split(",") if p.strip()])
        return draft(assistant, fields.get("industry"), fields.get("client", ""), fields.get("problem", ""), kpis,
                     kb, lang=fields.get("lang") or None)
    raise BadInputError(f"unknown work product '{kind}'")


def preview(doc) -> str:
    """The document's Markdown with HTML special characters escaped (its text quotes documents)."""
    from assistant.workflows.export import to_markdown

    return escape(to_markdown(doc))


def export_files(assistant: Assistant, doc) -> list[str]:
    """The document as md, docx and pdf in a fresh folder under <data_dir>/exports; the paths."""
    from assistant.workflows.export import write

    folder = export_folder(assistant, f"{doc.kind}-")
    return [str(write(doc, fmt, folder / f"{doc.kind}.{fmt}")) for fmt in EXPORT_FORMATS]


def evidence(assistant: Assistant, user: User | None, kb: str = "default", industry: str = "") -> dict:
    """Evidence rows of the knowledge base and a PNG chart of them (None when there is nothing to draw)."""
    from assistant.workflows.evidence import case_evidence
    from assistant.workflows.evidence_chart import draw_chart

    kb = assistant.check_read(kb or "default", user)
    rows = case_evidence(assistant.kb(kb), normalize_industry(industry or None))
    chart = str(draw_chart(rows, export_folder(assistant, "evidence-") / "evidence.png")) if rows else None
    return {"rows": [r.to_dict() for r in rows], "chart": chart}


def evidence_table(result: dict) -> list[list[str]]:
    return [[r[c] if c != "source" else r["citation"].get("source", "") for c in EVIDENCE_COLUMNS]
            for r in result["rows"]]


def feedback(assistant: Assistant, user: User | None, rating: str, question: str, answer: dict, comment: str = "",
             kb: str = "default") -> dict:
    """Store a thumbs-up/down on an answer (its `ask` JSON), with the ids of the chunks retrieved for it."""
    from assistant.app.feedback import citations_of

    kb = assistant.check_read(kb or "default", user)
    text, chunk_ids, backend = _answer_fields(answer)
    name = user.name if user else ""
    feedback_id = _feedback_store(assistant).record(question, text, chunk_ids, rating, comment or "", kb, name, backend,
                                                    citations_of(answer))
    return {"id": feedback_id, "rating": rating}


def log_answer(assistant: Assistant, user: User | None, answer: dict, kb: str = "default") -> None:
    """The audit log: every question the app answered, who asked, the retrieved chunk ids and the answer."""
    text, chunk_ids, backend = _answer_fields(answer)
    _feedback_store(assistant).log_question(answer.get("question"), text, chunk_ids, kb or "default",
                                            user.name if user else "", backend)


def _feedback_store(assistant: Assistant):
    from assistant.app.feedback import FeedbackStore, default_path

    return FeedbackStore(default_path(assistant.settings))


def _answer_fields(answer: Any) -> tuple[Any, list[str], Any]:
    """(answer text, retrieved chunk ids, backend) of the `ask` JSON a client sends back with its feedback; the
    feedback store checks the texts, this the shape, so a malformed one is a clear error and never a crash."""
    answer = {} if answer is None else answer
    if not isinstance(answer, dict):
        raise BadInputError("answer must be the JSON object that ask returned")
    retrieved = answer.get("retrieved")
    if not retrieved:
        citations = answer.get("citations") or []
        if not isinstance(citations, list) or not all(isinstance(c, dict) for c in citations):
            raise BadInputError("answer.citations must be a list of objects")
        retrieved = [c.get("chunk_id", "") for c in citations]
    if not isinstance(retrieved, list) or len(retrieved) > MAX_CHUNK_IDS or \
            not all(isinstance(i, str) and len(i) <= MAX_CHUNK_ID_CHARS for i in retrieved):
        raise BadInputError(f"answer.retrieved must be a list of at most {MAX_CHUNK_IDS} chunk ids")
    return answer.get("answer", ""), retrieved, answer.get("backend_used", "")


def export_folder(assistant: Assistant, prefix: str) -> Path:
    """A fresh folder under <data_dir>/exports, so two users' downloads never overwrite each other; exports older
    than EXPORT_KEEP_SECONDS go first, so repeated requests cannot fill the disk."""
    root = assistant.settings.exports_dir
    root.mkdir(parents=True, exist_ok=True)
    expired = time.time() - EXPORT_KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < expired:
            shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=root))


def conversation_markdown(turns: list[dict]) -> str:
    """A chat conversation as Markdown: each question, its answer and the list of passages it cited."""
    lines = ["# QC Assist conversation", ""]
    for number, turn in enumerate(turns, 1):
        answer = turn.get("answer") or {}
        lines += [f"## {number}. {turn.get('question', '')}", "", f"*Knowledge base: {turn.get('kb', 'default')}*",
                  "", answer.get("answer", ""), ""]
        lines += [f"> {note}" for note in answer.get("notes", [])]
        citations = answer.get("citations", [])
        if citations:
            lines += ["**Sources**", ""]
            for c in citations:
                where = source_label(c.get("title"), c.get("section"), c.get("page"))
                lines.append(f"- [{c.get('n')}] {where} — `{shown_source(str(c.get('source', '')))}`")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def export_conversation(assistant: Assistant, turns: list[dict]) -> str:
    """The conversation written to a fresh .md file under <data_dir>/exports; its path."""
    if not turns:
        raise BadInputError("there is no conversation to export yet")
    path = export_folder(assistant, "conversation-") / "conversation.md"
    path.write_text(conversation_markdown(turns), encoding="utf-8")
    return str(path)


def feedback_csv(assistant: Assistant, user: User | None, kb: str = "default") -> str:
    """The knowledge base's feedback as a CSV file (UTF-8 with BOM, for Excel); editors and admins only."""
    assistant.check_manage(user)
    kb = assistant.check_read(kb or "default", user)
    text = _feedback_store(assistant).export_csv(kb=kb)
    path = export_folder(assistant, "feedback-") / f"feedback-{kb}.csv"
    path.write_text(text, encoding="utf-8-sig")
    return str(path)


def correct_answer(assistant: Assistant, user: User | None, feedback_id: Any, corrected: str,
                   kb: str = "default") -> dict:
    """An editor's corrected answer to a thumbs-down becomes an FAQ document in the knowledge base.

    The correction is stored, written to <data_dir>/faq/<kb>/faq-<id>.md and ingested, so it is cited like any
    passage (doc_type 'faq', preferred by retrieval through QCA_FAQ_BOOST)."""
    from assistant.app.feedback import faq_markdown
    from assistant.text import detect_language
    from ingest.pipeline import source_name

    assistant.check_manage(user)
    kb = assistant.check_read(kb or "default", user)
    number = _feedback_id(feedback_id)
    store = _feedback_store(assistant)
    found = next((row for row in store.list(kb=kb, rating="down") if row["id"] == number), None)
    if found is None:
        raise BadInputError(f"no thumbs-down feedback #{number} in knowledge base '{kb}'")
    document = faq_markdown(found["question"], corrected, detect_language(found["question"]))
    saved = store.add_correction(number, corrected, user.name if user else "local")
    path = assistant.settings.faq_dir(kb) / f"faq-{number}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    report = assistant.ingest([path], kb, progress=False, user=user)
    if report.files_failed:
        raise BadInputError(f"the FAQ entry could not be ingested: {report.files_failed[0]['error']}")
    return {"correction_id": saved["id"], "feedback_id": number, "source": source_name(path, assistant.settings),
            "chunks_added": report.chunks_added}


def _feedback_id(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadInputError(f"'{value}' is not a feedback id (a number from the table)") from None
