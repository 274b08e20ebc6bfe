import pytest

from assistant.errors import IngestError
from ingest.cleaning import clean_text
from ingest.loaders import decode_text, load_file
from tests.helpers import make_pdf

MB = 1_000_000


def test_pdf_line_breaks_inside_chinese_are_joined_and_english_wraps_become_spaces():
    assert clean_text("质量管控流\n程的核心", reflow=True) == "质量管控流程的核心"
    assert clean_text("customer satis-\nfaction and\nretention", reflow=True) == "customer satisfaction and retention"


def test_web_boilerplate_is_dropped():
    page = ("案例：返修率降低了30%。\n结语段落。文章已按照您的需求生成完成,如需进一步调整请告诉我!\n"
            "原创文章,作者:someone,如若转载,请注明出处\n(0)\n上一篇 2024年12月25日\n相关推荐\n无关文章标题\n5天前\n")
    cleaned = clean_text(page, reflow=True)
    assert cleaned == "案例：返修率降低了30%。\n结语段落。"


def test_markdown_front_matter_and_heading_path(tmp_path):
    path = tmp_path / "spc.md"
    path.write_text("---\ntitle: SPC 入门\nlang: zh\ndoc_type: method\nindustries: [manufacturing]\n---\n"
                    "# SPC 入门\n引言。\n## 控制图\n### 判异规则\n连续7点在中心线一侧。\n", encoding="utf-8")
    doc = load_file(path, "spc.md", MB, MB)
    assert (doc.title, doc.lang, doc.doc_type, doc.industries) == ("SPC 入门", "zh", "method", ["manufacturing"])
    assert [(s.path, s.text) for s in doc.sections] == [("", "引言。"), ("控制图 › 判异规则", "连续7点在中心线一侧。")]


def test_gb18030_text_is_decoded(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("客户投诉率下降了40%。".encode("gb18030"))
    assert load_file(path, "old.txt", MB, MB).sections[0].text == "客户投诉率下降了40%。"


@pytest.mark.parametrize("text, encoding, named", [
    ("Qualitätskontrolle für Zulieferer: Prüfung der Maße.", "cp1252", "cp1252"),
    ("质量", "gb18030", "GB18030"),
    ("統計製程管制使用管制圖監控製程。", "big5", "big5"),
])
def test_legacy_encodings_are_read_and_named(text, encoding, named):
    decoded, [note] = decode_text(text.encode(encoding))
    assert decoded == text and f"read as {named}" in note


def test_html_keeps_headings_and_drops_scripts(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>FMEA</title><script>alert(1)</script></head><body><nav>menu</nav>"
                    "<h2>Severity</h2><p>Rated from 1 to 10.</p></body></html>", encoding="utf-8")
    doc = load_file(path, "page.html", MB, MB)
    assert doc.title == "FMEA"
    assert [(s.path, s.text) for s in doc.sections] == [("Severity", "Rated from 1 to 10.")]


def test_docx_headings_become_sections(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("8D", level=1)
    document.add_heading("D3 临时遏制", level=2)
    document.add_paragraph("在24小时内隔离可疑产品。")
    document.save(tmp_path / "8d.docx")
    doc = load_file(tmp_path / "8d.docx", "8d.docx", MB, MB)
    assert doc.title == "8D"
    assert [(s.path, s.text) for s in doc.sections] == [("D3 临时遏制", "在24小时内隔离可疑产品。")]


def test_pdf_pages_are_kept_and_chinese_extracted(tmp_path):
    pages = [["统计过程控制用控制图监控过", "程，Cpk应不低于1.33。"], ["Page two about NPS."]]
    path = make_pdf(tmp_path / "spc.pdf", pages)
    doc = load_file(path, "spc.pdf", MB, MB)
    assert [s.page for s in doc.sections] == [1, 2]
    assert "统计过程控制用控制图监控过程，Cpk应不低于1.33。" in doc.sections[0].text
    assert doc.lang == "zh"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("fake.pdf", b"this is not a pdf at all", "not a PDF"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "damaged or truncated"),
        ("bin.txt", b"\x00\x01\x02binary\x00" * 10, "binary"),
        ("bad.txt", b"\xff\xfe\xfa\xfb\x81\x30" * 3 + b"\x80", "encoding could not be told"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        load_file(path, name, MB, MB)


def test_encrypted_and_oversized_files_fail_with_a_reason(tmp_path):
    locked = make_pdf(tmp_path / "locked.pdf", [["secret"]], encrypt="pw")
    with pytest.raises(IngestError, match="encrypted"):
        load_file(locked, "locked.pdf", MB, MB)
    big = tmp_path / "big.txt"
    big.write_text("质量" * 1000, encoding="utf-8")
    with pytest.raises(IngestError, match="over the"):
        load_file(big, "big.txt", 1000, MB)
