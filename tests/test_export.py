"""Export of a work document to Markdown, DOCX and PDF, read back with python-docx and pypdf."""

from __future__ import annotations

import pytest

from assistant.errors import BadInputError
from assistant.models import Citation, GroundingReport
from assistant.workflows.document import WorkDocument
from assistant.workflows.export import render, to_markdown, write

SCRIPT = "<script>alert(1)</script> & co"
TEXT = {
    "zh": {"title": "来料检验质量提升方案", "summary": "执行摘要", "measures": "关键措施", "steps": "实施步骤",
           "review": "复盘", "evidence": "证据表", "refs": "参考资料",
           "fact": "按 AQL 抽样计划检验来料后，批次不良率从 3.2% 降至 1.1% [1]。",
           "bullets": ["建立供应商质量档案", "实施首件检验 (First Article Inspection)", SCRIPT],
           "steps_items": ["确定抽样方案", "培训检验员", "每月复盘结果 [2]"], "review_items": ["收集数据", "更新方案"],
           "table": [["指标", "改进前", "改进后"], ["不良率", "3.2%", "1.1%"], ["A|B 比例", "1:2", "1:3"]],
           "cite1": ("来料检验指南", "抽样计划"), "note": "示例数据仅供演示。"},
    "en": {"title": "Incoming inspection improvement plan", "summary": "Executive summary", "measures": "Key measures",
           "steps": "Implementation steps", "review": "Review", "evidence": "Evidence table", "refs": "References",
           "fact": "After AQL sampling of incoming lots (来料检验), the lot defect rate fell from 3.2% to 1.1% [1].",
           "bullets": ["Build a supplier quality file", "Run first article inspection", SCRIPT],
           "steps_items": ["Choose the sampling plan", "Train the inspectors", "Review the results monthly [2]"],
           "review_items": ["Collect the data", "Update the plan"],
           "table": [["Metric", "Before", "After"], ["Defect rate", "3.2%", "1.1%"], ["A|B ratio", "1:2", "1:3"]],
           "cite1": ("Incoming Inspection Guide", "Sampling plans"), "note": "Illustrative figures only."},
}


def make_doc(lang: str) -> WorkDocument:
    t = TEXT[lang]
    doc = WorkDocument("strategy", t["title"], lang, grounding=GroundingReport(0.9, [], 10), notes=[t["note"]])
    doc.section(t["summary"]).add("paragraph", [t["fact"]], grounded=True)
    doc.section(t["measures"]).add("bullets", t["bullets"])
    doc.section(t["steps"]).add("numbered", t["steps_items"])
    doc.section(t["review"], level=3).add("numbered", t["review_items"])
    doc.section(t["evidence"]).add_table(t["table"])
    title, section = t["cite1"]
    doc.references = [Citation(1, "corpus/iqc.pdf", title, 12, section, "c1", "..."),
                      Citation(2, "https://example.org/ppap", "PPAP Manual", None, "", "c2", "...")]
    return doc


@pytest.fixture(params=["zh", "en"])
def doc(request) -> WorkDocument:
    return make_doc(request.param)


def test_markdown_has_structure_references_and_footer(doc):
    t, md = TEXT[doc.lang], to_markdown(doc)
    assert md.startswith(f"# {t['title']}\n\n## {t['summary']}\n\n{t['fact']}\n")
    assert f"### {t['review']}" in md and "[1]" in md
    assert "\n".join(f"- {item}" for item in t["bullets"]) in md
    assert f"1. {t['steps_items'][0]}" in md and f"3. {t['steps_items'][2]}" in md
    assert f"2. {t['review_items'][1]}" in md  # numbering restarts in each list
    header, row, escaped = t["table"]
    assert f"| {' | '.join(header)} |\n| --- | --- | --- |\n| {' | '.join(row)} |" in md
    assert escaped[0].replace("|", "\\|") in md
    title, section = t["cite1"]
    assert f"## {t['refs']}\n\n[1] {title} › {section}, p. 12 (corpus/iqc.pdf)\n\n" in md
    assert "[2] PPAP Manual (https://example.org/ppap)" in md
    assert f"- *{t['note']}*" in md
    assert md.endswith(f"\n\n---\n\n{doc.footer}\n") and "90%" in doc.footer
    assert render(doc, "md") == md.encode("utf-8")


def test_docx_reads_back_with_styles_lists_table_and_footers(doc, tmp_path):
    import docx
    from docx.oxml.ns import qn

    t = TEXT[doc.lang]
    doc.sections[0].blocks[0].items.append("vertical\x0btab dropped")  # XML-illegal, common in extracted text
    path = write(doc, None, tmp_path / "out" / "plan.docx")
    assert path.exists() and [p.name for p in path.parent.iterdir()] == ["plan.docx"]
    word = docx.Document(str(path))
    styled = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", t["title"]) in styled
    assert ("Heading 2", t["summary"]) in styled and ("Heading 3", t["review"]) in styled
    assert ("Heading 2", t["refs"]) in styled
    assert ("Normal", t["fact"]) in styled and ("Normal", "verticaltab dropped") in styled
    assert [text for style, text in styled if style == "List Bullet"][:3] == t["bullets"]
    numbered = [p for p in word.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == t["steps_items"] + t["review_items"]
    num_ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert num_ids[0] == num_ids[2] != num_ids[3] == num_ids[4]  # the second list restarts at 1
    table = word.tables[0]
    assert table.style.name == "Table Grid"
    assert [[c.text for c in r.cells] for r in table.rows] == t["table"]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert not any(run.bold for run in table.rows[1].cells[0].paragraphs[0].runs)
    title, section = t["cite1"]
    assert ("Normal", f"[1] {title} › {section}, p. 12 (corpus/iqc.pdf)") in styled
    assert ("Normal", "[2] PPAP Manual (https://example.org/ppap)") in styled
    assert word.paragraphs[-1].text == doc.footer
    assert word.sections[0].footer.paragraphs[0].text == doc.footer
    rfonts = word.styles["Normal"].element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == "SimSun"


def _pdf_pages(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(path)).pages]


def test_pdf_text_round_trips_chinese_english_and_markup(doc, tmp_path):
    t = TEXT[doc.lang]
    pages = _pdf_pages(write(doc, "pdf", tmp_path / "plan.pdf"))
    assert len(pages) >= 1
    text = "\n".join(pages)
    squeezed = "".join(text.split())  # wrapping may break a line anywhere in Chinese
    for word in (t["title"], t["summary"], t["refs"], t["table"][0][0], "来料检验", t["steps_items"][0]):
        assert "".join(word.split()) in squeezed, word
    for word in ("AQL", "PPAP Manual", "https://example.org/ppap", "90%", "[1]", "1.1%"):
        assert word in text, word
    assert SCRIPT in text and "&amp;" not in text
    assert text.count(doc.footer) >= 2  # drawn on the page and repeated as the last paragraph


def test_pdf_footer_and_page_number_on_every_page(tmp_path):
    doc = make_doc("zh")
    doc.section("附录").add("paragraph", [f"第 {n} 段：检验记录应保存三年，以便追溯。" * 4 for n in range(60)])
    pages = _pdf_pages(write(doc, None, tmp_path / "long.pdf"))
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert doc.footer in page and f"- {number} -" in page


def test_unknown_formats_are_rejected_without_leaving_files(tmp_path):
    doc = make_doc("en")
    with pytest.raises(BadInputError, match="md, docx, pdf"):
        render(doc, "xls")
    with pytest.raises(BadInputError, match=".md, .docx or .pdf"):
        write(doc, None, tmp_path / "out" / "plan.xls")
    assert list(tmp_path.iterdir()) == []
    kept = write(doc, "md", tmp_path / "plan.md")
    before = kept.read_bytes()
    with pytest.raises(BadInputError):
        write(doc, "xls", kept)
    assert kept.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["plan.md"]
    assert render(doc, "PDF").startswith(b"%PDF")
