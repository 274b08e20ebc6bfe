"""A citation opened at its source, on real uploads in real Chroma: a generated PDF's page rendered by poppler with
the English or Chinese passage highlighted where its words are, a Markdown section with the passage marked and the
document's markup escaped, and what is refused or reported instead of shown."""

from __future__ import annotations

import pytest

from assistant.app import actions as app_actions
from assistant.app.citation_view import citation_choices, open_citation, resolve_choice, section_text
from assistant.app.pdf_page import locate, page_text
from assistant.errors import BadInputError, PermissionDeniedError, SetupError
from assistant.service import Assistant
from tests.helpers import make_pdf

ENGLISH = ["Incoming pallets are inspected with a twelve-point visual check before they are",
           "put away; the receiving clerk records every damaged corner board and the inspec-",
           "tion result in the goods-in log."]
CHINESE = ["来料检验按照抽样计划执行，每批抽取八十件样品，",
           "检验员记录尺寸偏差并在当天提交检验报告。"]


def _pdf(path, pages):
    return make_pdf(path, pages, embedded=True)


@pytest.fixture
def assistant(hash_settings):
    return Assistant(hash_settings)


def _upload(assistant, path, kb="default"):
    [result] = app_actions.upload(assistant, None, [(str(path), path.name)], kb)
    assert result["status"] == "ingested", result
    return result["source"]


def _chunks(assistant, source, kb="default"):
    return sorted((c for c in assistant.kb(kb).all_chunks() if c.source == source), key=lambda c: c.position)


def _highlighted(image, box) -> float:
    """The share of the box's pixels that are amber over white paper (glyphs under the amber are darker)."""
    x0, y0, x1, y1 = (int(v) for v in box)
    pixels = [image.getpixel((x, y)) for x in range(x0 + 2, x1 - 1, 2) for y in range(y0 + 2, y1 - 1, 2)]
    amber = [p for p in pixels if p[0] > 240 and 200 < p[1] < 245 and 110 < p[2] < 180]
    return len(amber) / len(pixels)


@pytest.fixture
def pdf_upload(assistant, tmp_path):
    source = _upload(assistant, _pdf(tmp_path / "receiving-inspection.pdf", [ENGLISH, CHINESE]))
    return assistant, source


@pytest.mark.parametrize("page, word", [(1, "pallets"), (2, "抽样计划")])
def test_the_pdf_page_shows_the_passage_highlighted_where_its_words_are(pdf_upload, page, word):
    assistant, source = pdf_upload
    [chunk] = [c for c in _chunks(assistant, source) if c.page == page]
    view = open_citation(assistant, None, "default", chunk.chunk_id)
    assert view.image is not None and "highlighted" in view.html
    assert len(view.boxes) == (3 if page == 1 else 2)  # one box per line the passage runs over
    assert all(_highlighted(view.image, box) > 0.5 for box in view.boxes)
    width, height = view.image.size
    assert _highlighted(view.image, (0, height * 0.3, width, height)) == 0  # below the text: plain paper
    # Where poppler places the word on the page, the picture is amber.
    words = page_text((assistant.settings.data_dir / source).read_bytes(), page)
    text, (x0, y0, x1, y1), _ = next(w for w in words.words if word in w[0])
    start, step = text.index(word), (x1 - x0) / len(text)  # a CJK run is one poppler word: its characters' share
    scale = width / words.width
    box = ((x0 + step * start) * scale, y0 * scale, (x0 + step * (start + len(word))) * scale, y1 * scale)
    assert _highlighted(view.image, box) > 0.3


def test_passage_matching_ignores_spacing_hyphenation_and_finds_chinese_by_characters(tmp_path):
    data = _pdf(tmp_path / "p.pdf", [ENGLISH, CHINESE]).read_bytes()
    boxes, found = locate("damaged corner board and the inspection result", page_text(data, 1))
    assert found == 1.0 and len(boxes) == 2  # 'inspec-' ends line 2, 'tion' starts line 3
    boxes, found = locate("每批抽取八十件样品， 检验员记录尺寸偏差", page_text(data, 2))
    assert found == 1.0 and len(boxes) == 2
    assert locate("statistical process control limits", page_text(data, 1)) == ([], 0.0)


def test_a_markdown_section_is_shown_with_the_passage_marked_and_markup_escaped(assistant, tmp_path):
    sentences = [f"Step {n}: the auditor checks <b>bin {n}</b> & records the count in the tally sheet."
                 for n in range(1, 21)]
    doc = tmp_path / "cycle-count.md"
    doc.write_text("# Cycle counting\n\n## Preparation\n\nPrint the tally sheets.\n\n## Counting\n\n"
                   + " ".join(sentences) + " <script>window.pwned=1</script>\n", encoding="utf-8")
    source = _upload(assistant, doc)
    counting = [c for c in _chunks(assistant, source) if c.section == "Counting"]
    assert len(counting) >= 3  # the section spans several chunks that repeat each other's last sentences
    cited = counting[1]
    view = open_citation(assistant, None, "default", cited.chunk_id)
    assert view.image is None and view.html.count("<mark>") == 1
    marked = view.html.split("<mark>")[1].split("</mark>")[0]
    assert marked == cited.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert "&lt;b&gt;bin 1&lt;/b&gt;" in view.html.split("<mark>")[0]  # the section before the passage
    assert "&lt;script&gt;" in view.html and "<script>" not in view.html and "<b>bin" not in view.html
    assert "Print the tally sheets" not in view.html  # another section
    text, (start, end) = section_text(assistant.kb(), cited)
    assert all(text.count(s.split(":")[0] + ":") == 1 for s in sentences)  # shared sentences said once
    assert text[start:end] == cited.text


def test_a_passage_of_another_knowledge_base_or_one_the_user_may_not_read_is_refused(pdf_upload, tmp_path):
    assistant, source = pdf_upload
    other = _upload(assistant, _pdf(tmp_path / "other.pdf", [["Other knowledge base only."]]), kb="other")
    foreign = _chunks(assistant, other, "other")[0].chunk_id
    with pytest.raises(BadInputError, match="has no such passage"):
        open_citation(assistant, None, "default", foreign)
    for bad in ({"$ne": ""}, "../../etc/passwd", "", None):
        with pytest.raises(BadInputError, match="chunk id"):
            open_citation(assistant, None, "default", bad)
    with pytest.raises(BadInputError, match="no knowledge base"):
        open_citation(assistant, None, "missing", foreign)


def test_a_viewer_cannot_open_a_passage_of_a_restricted_knowledge_base(secured):
    assistant, viewer, editor = secured
    chunk_id = assistant.kb("default").all_ids()[0]
    with pytest.raises(PermissionDeniedError):
        open_citation(assistant, viewer, "secret", chunk_id)
    assert open_citation(assistant, viewer, "default", chunk_id).html  # what the viewer may read opens


def test_a_pdf_whose_file_is_gone_or_changed_says_so_and_shows_the_stored_passage(pdf_upload, tmp_path):
    assistant, source = pdf_upload
    chunk = next(c for c in _chunks(assistant, source) if c.page == 1)
    stored = assistant.settings.data_dir / source
    stored.write_bytes(_pdf(tmp_path / "x.pdf", [["Someone else's page."]]).read_bytes())
    view = open_citation(assistant, None, "default", chunk.chunk_id)
    assert view.image is None and "has changed since it was ingested" in view.message
    stored.unlink()
    view = open_citation(assistant, None, "default", chunk.chunk_id)
    assert view.image is None and "no longer on the server" in view.message
    assert "<mark>Incoming pallets are inspected" in view.html


def test_without_poppler_the_message_says_what_to_install(pdf_upload, monkeypatch):
    assistant, source = pdf_upload
    chunk = _chunks(assistant, source)[0]
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SetupError, match="poppler-utils"):
        open_citation(assistant, None, "default", chunk.chunk_id)


def test_the_choices_name_each_answers_citations_and_resolve_only_to_what_the_server_holds():
    turns = [{"kb": "default", "answer": {"citations": [
                 {"n": 1, "title": "8D", "section": "D4", "page": None, "chunk_id": "aaa"}]}},
             {"kb": "other", "answer": {"citations": [
                 {"n": 1, "title": "Receiving", "section": "", "page": 2, "chunk_id": "bbb"},
                 {"n": 2, "title": "Receiving", "section": "", "page": 1, "chunk_id": "ccc"}]}}]
    assert citation_choices(turns) == [("Q2 [1] Receiving, p. 2", "1:1"), ("Q2 [2] Receiving, p. 1", "1:2"),
                                       ("Q1 [1] 8D › D4", "0:1")]
    assert citation_choices(turns[:1]) == [("[1] 8D › D4", "0:1")]
    assert resolve_choice(turns, "1:2") == ("other", "ccc")
    for bad in ("2:1", "0:2", "x", None, ["0:1"], "0:1 ", "-1:1"):
        with pytest.raises(BadInputError):
            resolve_choice(turns, bad)
