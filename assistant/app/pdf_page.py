"""One PDF page as a PNG with a passage highlighted: poppler's pdftotext gives the page's word boxes, pdftoppm the
picture, Pillow the semi-transparent boxes. The PDF's bytes go to both tools on stdin, so what is rendered is
exactly what the caller checked (no file is opened by name twice), and nothing is written to disk."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.errors import BadInputError, SetupError

RENDER_DPI = 110  # an A4 page is 910 x 1290 px: the words readable in the chat's panel
MAX_RENDER_SIDE_PX = 2000  # a huge page (a poster, a drawing) is rendered smaller, never larger than this
MAX_PAGE_SIDE_PT = 14_400  # 200 inches, the largest page the PDF format allows: anything else is a broken file
TOOL_TIMEOUT_S = 20.0  # per poppler call; a page that takes longer is refused, the worker is not held
MAX_PAGE_WORDS = 5_000  # a page's words read for matching (a dense page has about 1,000): bounds its cost
MAX_PASSAGE_CHARS = 2_000  # of the passage looked for (a chunk is about 800)
# When the passage is not on the page verbatim (a repeated header cleaned away, another reading order), runs of at
# least this many matching letters are highlighted: shorter ones would be chance hits of common words.
MIN_RUN_CHARS = 8
MIN_FOUND_SHARE = 0.3  # of the passage's letters in such runs, else they are chance hits and nothing is marked
HIGHLIGHT_RGBA = (255, 200, 0, 110)  # translucent amber: the words stay readable under it
INSTALL_HINT = "install poppler-utils (sudo apt-get install poppler-utils; make setup does)"

_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)"')
_LINE_RE = re.compile(r"<line [^>]*>(.*?)</line>", re.DOTALL)
_WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 from the top left


@dataclass
class PageText:
    """A page's size in points and its words: (text, box, line number), in reading order."""

    width: float
    height: float
    words: list[tuple[str, Box, int]]


@dataclass
class PageView:
    """The rendered page, the highlight boxes in its pixels, and the share of the passage found on it."""

    image: object  # PIL.Image.Image, imported lazily
    boxes: list[Box]
    found: float


def _poppler(tool: str, args: list[str], data: bytes) -> bytes:
    """Run a poppler tool on the PDF given on stdin ('-' among args); its stdout."""
    exe = shutil.which(tool)
    if exe is None:
        raise SetupError(f"showing a PDF page needs {tool}; {INSTALL_HINT}")
    try:
        done = subprocess.run([exe, *args], input=data, capture_output=True, timeout=TOOL_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise BadInputError(f"the page took longer than {TOOL_TIMEOUT_S:g} s to read; not shown") from exc
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise BadInputError(f"the PDF page could not be read ({detail[0][:120]})")
    return done.stdout


def page_text(data: bytes, page: int) -> PageText:
    """The page's size and word boxes from `pdftotext -bbox-layout`."""
    out = _poppler("pdftotext", ["-bbox-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page), "-", "-"],
                   data)
    text = out.decode("utf-8", "replace")
    size = _PAGE_RE.search(text)
    if size is None:
        raise BadInputError(f"the PDF has no page {page}")
    width, height = float(size.group(1)), float(size.group(2))
    if not (0 < width <= MAX_PAGE_SIDE_PT and 0 < height <= MAX_PAGE_SIDE_PT):
        raise BadInputError(f"page {page} is {width:.0f} x {height:.0f} points: not a page that can be shown")
    words = []
    for number, line in enumerate(_LINE_RE.finditer(text)):
        for match in _WORD_RE.finditer(line.group(1)):
            box = (float(match[1]), float(match[2]), float(match[3]), float(match[4]))
            words.append((html.unescape(match[5]), box, number))
            if len(words) >= MAX_PAGE_WORDS:
                return PageText(width, height, words)
    return PageText(width, height, words)


def _letters(text: str) -> list[tuple[str, int]]:
    """The letters and digits of the text, NFKC-folded and lower-cased, each with its index in `text`: spaces,
    punctuation and hyphens never decide a match, so a line break, a hyphenated word or a ligature still match,
    and Chinese, written without spaces, is matched character by character."""
    out = []
    for index, char in enumerate(text):
        out += [(c, index) for c in unicodedata.normalize("NFKC", char).casefold() if c.isalnum()]
    return out


def match_spans(passage: str, text: str) -> tuple[list[tuple[int, int]], float]:
    """Where the passage's letters are in `text`: (start, end) indices of `text`, and the share of the passage's
    letters found. Verbatim first; else every run of at least MIN_RUN_CHARS letters the two share, in order."""
    needle, hay = _letters(passage[:MAX_PASSAGE_CHARS]), _letters(text)
    a, b = "".join(c for c, _ in needle), "".join(c for c, _ in hay)
    if not a or not b:
        return [], 0.0
    start = b.find(a)
    if start >= 0:
        runs = [(start, len(a))]
    else:
        blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        runs = [(block.b, block.size) for block in blocks if block.size >= MIN_RUN_CHARS]
        if sum(n for _, n in runs) < MIN_FOUND_SHARE * len(a):
            runs = []
    spans = [(hay[s][1], hay[s + n - 1][1] + 1) for s, n in runs]
    return spans, sum(n for _, n in runs) / len(a)


def locate(passage: str, page: PageText) -> tuple[list[Box], float]:
    """Boxes (in points) around the passage's words on the page, one per line it runs over; the share found."""
    owners = []  # for each character of the page's text, (word index, index in the word); -1: the space after it
    for index, (word, _, _) in enumerate(page.words):
        owners += [(index, i) for i in range(len(word))] + [(index, -1)]
    spans, found = match_spans(passage, " ".join(w for w, _, _ in page.words) + " ")
    boxes: dict[tuple[int, int], list[float]] = {}  # (line, span) -> the union of its characters' boxes
    for number, (start, end) in enumerate(spans):
        for word_index, i in owners[start:end]:
            if i < 0:
                continue
            word, (x0, y0, x1, y1), line = page.words[word_index]
            step = (x1 - x0) / len(word)  # a character's share of its word: exact for CJK, close for Latin
            box = boxes.setdefault((line, number), [x0 + step * i, y0, x0 + step * (i + 1), y1])
            box[:] = [min(box[0], x0 + step * i), min(box[1], y0), max(box[2], x0 + step * (i + 1)), max(box[3], y1)]
    return [tuple(b) for b in boxes.values()], found


def render(data: bytes, page: int, size: PageText):
    """The page as a PIL image, at RENDER_DPI or less so that no side exceeds MAX_RENDER_SIDE_PX."""
    from PIL import Image

    dpi = min(RENDER_DPI, MAX_RENDER_SIDE_PX * 72 / max(size.width, size.height))
    # Only the input's '-': pdftoppm writes to stdout when no output name follows (a second '-' names a file).
    png = _poppler("pdftoppm", ["-png", "-singlefile", "-r", f"{dpi:.2f}", "-f", str(page), "-l", str(page), "-"],
                   data)
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise BadInputError(f"page {page} could not be rendered ({type(exc).__name__})") from exc
    return image.convert("RGB")


def highlight(image, boxes: list[Box], size: PageText):
    """The image with translucent boxes drawn over the passage; the boxes in the image's pixels."""
    from PIL import Image, ImageDraw

    sx, sy = image.width / size.width, image.height / size.height
    pixels = [(x0 * sx - 1, y0 * sy - 1, x1 * sx + 1, y1 * sy + 1) for x0, y0, x1, y1 in boxes]
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for box in pixels:
        draw.rectangle(box, fill=HIGHLIGHT_RGBA)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB"), pixels


def page_view(data: bytes, page: int, passage: str) -> PageView:
    """Page `page` (from 1) of the PDF with the passage highlighted where its words are."""
    if not isinstance(page, int) or page < 1:
        raise BadInputError("the passage has no page number to show")
    words = page_text(data, page)
    boxes, found = locate(passage, words)
    image, pixels = highlight(render(data, page, words), boxes, words)
    return PageView(image, pixels, found)
