"""The case-evidence table extracted from the real corpus."""

import pytest

from assistant.workflows.evidence import extract_rows, to_csv, to_markdown

pytestmark = pytest.mark.integration


def test_case_figures_become_rows_with_their_source(corpus_assistant):
    rows = extract_rows(corpus_assistant.kb().all_chunks())
    found = {(r.citation["source"], r.metric, r.before, r.after, r.change) for r in rows}
    assert ("corpus/zh/case-electronics-repair-rate.md", "产品返修率", "", "", "-30%") in found
    assert ("corpus/zh/case-electronics-repair-rate.md", "客户满意度评分（CSAT）", "", "", "+15%") in found
    assert ("corpus/en/case-who-surgical-checklist.md", "rate of death", "1.5%", "0.8%", "") in found
    assert ("corpus/zh/case-auto-lean.md", "生产缺陷率", "", "0.5%", "") in found
    assert len({(r.citation["source"], r.change or r.after) for r in rows}) == len(rows)  # no restated figure
    assert all(r.citation["chunk_id"] for r in rows)


def test_industry_filter_and_formats(corpus_assistant):
    rows = extract_rows(corpus_assistant.kb().all_chunks(), "logistics")
    assert rows and all(r.industry == "logistics" for r in rows)
    assert "配送延迟率" in to_markdown(rows) and to_csv(rows).startswith("case,industry,intervention")
