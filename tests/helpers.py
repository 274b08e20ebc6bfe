"""What several test modules share: the repo root, the small corpus, real PDFs, real servers on 127.0.0.1, and the
app's callbacks by name. Fixtures live in conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from assistant.models import Chunk, Hit
from evals.app_bench import free_port, wait_for_http  # one copy for the app benchmark and the tests

ROOT = Path(__file__).resolve().parent.parent
# A Chinese case, a Chinese method and an English metrics document: enough for every app-level test.
SMALL_CORPUS = [ROOT / "corpus/zh/case-auto-lean.md", ROOT / "corpus/zh/8d.md", ROOT / "corpus/en/customer-metrics.md"]


def passage_hit(text: str, title: str = "8D 方法", rank_score: float = 1.0) -> Hit:
    """A retrieved Chinese passage of a document's steps section, for tests of the reader and the answer's shape."""
    return Hit(Chunk(f"id-{abs(hash(text))}", text, "doc.md", title, "zh", section="步骤"), fused_score=rank_score)


def ui_callbacks(assistant, plugins=None) -> dict:
    """The app's Gradio callbacks by 'module.function' name, to call them as the UI would."""
    from assistant.app.ui.app_blocks import build_app

    fns = build_app(assistant, plugins).fns.values()
    return {f"{f.fn.__module__.rsplit('.', 1)[-1]}.{f.fn.__qualname__.replace('.<locals>', '')}": f.fn for f in fns}


def make_pdf(path: Path, pages: list[list[str]], encrypt: str | None = None, embedded: bool = False,
             title: str | None = None) -> Path:
    """A real PDF with a CJK font, one list of lines per page: the reader's built-in STSong (no glyphs in the
    file), or with `embedded` the font every PDF of the project embeds (assistant/files.py), for pages rendered
    where no font is installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from assistant.files import pdf_font

    if not embedded:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    kwargs = {"encrypt": encrypt} if encrypt else {}
    pdf = canvas.Canvas(str(path), **kwargs)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        pdf.setFont(pdf_font() if embedded else "STSong-Light", 11)
        for row, line in enumerate(lines):
            pdf.drawString(50, 800 - 15 * row, line)
        pdf.showPage()
    pdf.save()
    return path


@contextmanager
def serving(command: list[str], ready_url: str, timeout: float = 120.0, **popen):
    """Start a server process, wait until ready_url answers, and always stop it."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    try:
        wait_for_http(ready_url, timeout=timeout)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def chroma_server(path: Path):
    """`chroma run` from the installed chromadb package, bound to loopback."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    with serving([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                 f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=60):
        yield port


@contextmanager
def llama_server(model_path: str, embedding: bool = False):
    """llama-cpp-python's own OpenAI-compatible server (`python -m llama_cpp.server`) on loopback; with
    `embedding`, it serves /v1/embeddings instead of chat."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", model_path, "--model_alias", "gemma", "--host",
               "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--chat_format", "gemma"]
    command += ["--embedding", "true"] if embedding else []
    with serving(command, f"http://127.0.0.1:{port}/v1/models"):
        yield f"http://127.0.0.1:{port}/v1"


@contextmanager
def local_http_server(handler):
    """A stdlib HTTP server on 127.0.0.1 with this request handler class, in a thread; yields its base URL."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextmanager
def silent_server(delay: float):
    """An HTTP server that accepts a request and answers nothing for `delay` seconds: a hung backend."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's naming
            time.sleep(delay)
            self.send_response(504)
            self.end_headers()

        def log_message(self, *args):
            pass

    with local_http_server(Handler) as url:
        yield f"{url}/v1"


@contextmanager
def running_app(data_dir: Path, documents: list[Path], auth_file: Path | None = None, **settings: str):
    """app.py as a user starts it, on 127.0.0.1, over a data dir with these documents ingested; yields its URL.
    `settings` are extra QCA_ variables (signin_free_failures="2" sets QCA_SIGNIN_FREE_FAILURES), for the ingest
    too (chroma_host puts the documents on that Chroma server)."""
    from assistant.config import Settings
    from assistant.service import Assistant

    if documents:
        Assistant(Settings(data_dir=data_dir, _env_file=None, **settings)).ingest(documents, progress=False)
    port = free_port()
    env = {**os.environ, "QCA_DATA_DIR": str(data_dir), "QCA_PORT": str(port), "HF_HUB_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", **{f"QCA_{key.upper()}": value for key, value in settings.items()}}
    env.pop("QCA_AUTH_FILE", None)
    if auth_file:
        env["QCA_AUTH_FILE"] = str(auth_file)
    url = f"http://127.0.0.1:{port}/"
    with serving([sys.executable, "app.py"], url, cwd=ROOT, env=env):
        yield url


def wait_for(condition, seconds: float = 10.0, every: float = 0.05) -> bool:
    """Whether condition() became true within `seconds` (for work that finishes in a background thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
