"""Zip bombs dressed as Word documents: refused by upload and by ingest (CLI and app share the loader) with the
limit named, before python-docx parses anything; a real DOCX within the limit still ingests."""

import struct
import zipfile

import pytest

from assistant.app.uploads import check_content
from assistant.errors import BadInputError
from assistant.files import check_unpacked_size
from assistant.service import Assistant

pytestmark = pytest.mark.security
PARAGRAPH = "<w:p><w:r><w:t>客户投诉率下降了40%。Complaints fell by 40%.</w:t></w:r></w:p>" * 200
BODY_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
             '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')


def _bomb(path, unpacked_mb: int):
    """A valid DOCX (python-docx's own template) whose document.xml is unpacked_mb of paragraphs, deflated."""
    import docx

    docx.Document().save(path.with_suffix(".template"))
    with zipfile.ZipFile(path.with_suffix(".template")) as template, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in template.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, template.read(info))
        with bomb.open("word/document.xml", "w") as xml:
            xml.write(BODY_HEAD.encode())
            block = PARAGRAPH.encode()
            for _ in range(unpacked_mb * 1_000_000 // len(block)):
                xml.write(block)
            xml.write(b"</w:body></w:document>")
    return path


def test_a_docx_bomb_is_refused_by_upload_and_by_ingest(tmp_path, hash_settings):
    settings = hash_settings.model_copy(update={"max_unpacked_mb": 5})
    bomb = _bomb(tmp_path / "report.docx", unpacked_mb=20)
    assert bomb.stat().st_size < 500_000  # small on disk, as the attack is
    with pytest.raises(BadInputError, match="unpacks to more than 5 MB"):
        check_content(bomb, ".docx", settings.max_unpacked_mb)
    report = Assistant(settings).ingest([bomb], kb="b", progress=False)
    assert report.files_ok == 0 and "QCA_MAX_UNPACKED_MB" in report.files_failed[0]["error"]


def _forge_size(path, member: str, size: int) -> None:
    """Rewrite the member's unpacked size in its local header and in the central directory."""
    data, name = bytearray(path.read_bytes()), member.encode()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    data[local + 22:local + 26] = data[central + 24:central + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


def test_a_forged_size_header_does_not_get_past_the_count(tmp_path):
    bomb = _bomb(tmp_path / "forged.docx", unpacked_mb=8)
    _forge_size(bomb, "word/document.xml", 1000)  # "unpacks to 1 kB"
    with pytest.raises(BadInputError, match="damaged|unpacks"):
        check_unpacked_size(bomb, 2_000_000)


def test_a_real_docx_within_the_limit_ingests(tmp_path, hash_settings):
    small = _bomb(tmp_path / "minutes.docx", unpacked_mb=1)
    check_content(small, ".docx", hash_settings.max_unpacked_mb)
    report = Assistant(hash_settings).ingest([small], kb="b", progress=False)
    assert report.files_ok == 1 and report.chunks_added > 0
