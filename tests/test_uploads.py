"""Upload safety on real files: names, content sniffing, size limit, staying inside the upload folder."""

from __future__ import annotations

import zipfile

import pytest

from assistant.app.uploads import ALLOWED, check_content, safe_filename, store_upload
from assistant.errors import BadInputError

pytestmark = pytest.mark.security


def _pdf(path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Control chart basics")
    pdf.save()
    return path


def _docx(path):
    import docx

    document = docx.Document()
    document.add_paragraph("Poka-yoke 防错")
    document.save(str(path))
    return path


@pytest.mark.parametrize("raw, expected", [
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd.md", "passwd.md"),
    ("C:\\fakepath\\质量手册.DOCX", "质量手册.docx"),
    ("..hidden.txt", "hidden.txt"),
    ("...", "upload"),
    ("", "upload"),
    (".pdf", "pdf"),
    ("a\x00b\x1f\u202ec.md", "abc.md"),
    ("in  some\tspaces .txt", "in some spaces.txt"),
    ('what?<>:"|*.html', "what_______.html"),
    ("con.txt", "_con.txt"),
    ("-rf.md", "rf.md"),
])
def test_safe_filename(raw, expected):
    assert safe_filename(raw) == expected


def test_safe_filename_limits_bytes_and_keeps_suffix():
    name = safe_filename("质" * 200 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 150 and name.startswith("质质")


def test_real_pdf_and_docx_pass(tmp_path):
    check_content(_pdf(tmp_path / "a.pdf"), ".pdf", 60)
    check_content(_docx(tmp_path / "a.docx"), ".DOCX", 60)


@pytest.mark.parametrize("suffix, content, message", [
    (".pdf", b"just text pretending", "not a PDF"),
    (".docx", b"PK\x03\x04 not really a zip", "not a Word document"),
    (".md", "正文".encode("gb18030"), "not UTF-8"),
    (".txt", b"text\x00with nul", "NUL"),
    (".html", b"", "empty"),
    (".exe", b"MZ", "not accepted"),
])
def test_mismatched_content_is_refused(tmp_path, suffix, content, message):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(content)
    with pytest.raises(BadInputError, match=message):
        check_content(path, suffix, 60)


def test_zip_without_document_is_not_docx(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(BadInputError, match="word/document.xml"):
        check_content(path, ".docx", 60)


def test_utf8_with_bom_is_text(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff# 标题\n正文".encode())
    check_content(path, ".md", 60)


def test_store_upload_copies_under_clean_name(tmp_path):
    src = _pdf(tmp_path / "gradio-tmp-123")
    dest = tmp_path / "uploads" / "kb1"
    stored = store_upload(src, "SPC 手册.pdf", dest, max_mb=5, max_unpacked_mb=60)
    assert stored == (dest / "SPC 手册.pdf").resolve()
    assert stored.read_bytes() == src.read_bytes()
    assert [p.name for p in dest.iterdir()] == ["SPC 手册.pdf"]  # no temp files left


def test_traversal_lands_inside_dest_dir(tmp_path):
    src = tmp_path / "src"
    src.write_text("root:x:0:0\n", encoding="utf-8")
    dest = tmp_path / "a" / "b" / "uploads"
    stored = store_upload(src, "../../etc/passwd.md", dest, max_mb=1, max_unpacked_mb=60)
    assert stored == dest.resolve() / "passwd.md" and stored.read_text(encoding="utf-8") == "root:x:0:0\n"
    assert not (tmp_path / "a" / "etc").exists()


def test_symlink_at_target_cannot_redirect_the_write(tmp_path):
    dest = tmp_path / "uploads"
    dest.mkdir()
    outside = tmp_path / "outside.md"
    outside.write_text("keep me", encoding="utf-8")
    (dest / "notes.md").symlink_to(outside)
    src = tmp_path / "src"
    src.write_text("new", encoding="utf-8")
    with pytest.raises(BadInputError, match="outside the upload folder"):
        store_upload(src, "notes.md", dest, max_mb=1, max_unpacked_mb=60)
    assert outside.read_text(encoding="utf-8") == "keep me"


def test_upload_refusals_leave_nothing_behind(tmp_path):
    dest = tmp_path / "uploads"
    fake_pdf = tmp_path / "fake"
    fake_pdf.write_text("I am text, not a PDF", encoding="utf-8")
    with pytest.raises(BadInputError, match="not a PDF"):
        store_upload(fake_pdf, "report.pdf", dest, max_mb=1, max_unpacked_mb=60)
    big = tmp_path / "big"
    big.write_bytes(b"a" * 1_500_000)
    with pytest.raises(BadInputError, match="1.5 MB, over the 1 MB upload limit"):
        store_upload(big, "big.txt", dest, max_mb=1, max_unpacked_mb=60)
    with pytest.raises(BadInputError, match="not accepted"):
        store_upload(fake_pdf, "script.sh", dest, max_mb=1, max_unpacked_mb=60)
    with pytest.raises(BadInputError, match="not received"):
        store_upload(tmp_path / "missing", "a.md", dest, max_mb=1, max_unpacked_mb=60)
    assert not dest.exists() or list(dest.iterdir()) == []


def test_reupload_replaces_and_docx_is_stored(tmp_path):
    dest = tmp_path / "uploads"
    first, second = tmp_path / "one", tmp_path / "two"
    first.write_text("v1", encoding="utf-8")
    second.write_text("v2", encoding="utf-8")
    store_upload(first, "notes.txt", dest, max_mb=1, max_unpacked_mb=60)
    assert store_upload(second, "notes.txt", dest, max_mb=1, max_unpacked_mb=60).read_text(encoding="utf-8") == "v2"
    assert store_upload(_docx(tmp_path / "d"), "培训.docx", dest, 1, 60).name == "培训.docx"
    assert {".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx"} == ALLOWED
