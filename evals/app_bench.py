"""App benchmark: cold start, answer latency seen in a real browser, 10 users at once, memory of the app.

Runs app.py as a user would, on a throw-away data dir with the shipped corpus ingested, on 127.0.0.1."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from evals.dataset import load_dataset
from evals.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    """A port nothing listens on, for a server of our own on 127.0.0.1 (the tests use it too)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    """Until the URL answers; a server still starting may refuse, reset or half-answer, so any error retries."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _summary(values: list[float]) -> dict:
    return {"n": len(values), "median_s": round(statistics.median(values), 2),
            "p95_s": round(percentile(values, 0.95), 2)}


def concurrent_users(url: str, questions: list[str], users: int = 10) -> dict:
    """Each user asks its own questions through /ask at the same time; errors are counted, not raised."""
    from gradio_client import Client

    def one_user(index: int) -> list[tuple[float, bool]]:
        client, results = Client(url, verbose=False), []
        for question in questions[index::users][:3]:
            started = time.perf_counter()
            answer = client.predict(question, "default", "", api_name="/ask")
            results.append((time.perf_counter() - started, "error" not in answer and bool(answer.get("answer"))))
        return results

    with ThreadPoolExecutor(users) as pool:
        runs = [r for user in pool.map(one_user, range(users)) for r in user]
    return {**_summary([t for t, _ in runs]), "answered": sum(ok for _, ok in runs), "asked": len(runs)}


def browser_latency(url: str, questions: list[str]) -> dict:
    """Seconds from clicking Ask to the cited answer being on screen, in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(url)
        for n, question in enumerate(questions, 1):
            page.get_by_placeholder("提问 / Ask a question").fill(question)
            started = time.perf_counter()
            page.get_by_role("button", name="Ask 提问").click()
            page.locator(".message-row").nth(2 * n - 1).locator("details").first.wait_for(timeout=60_000)
            times.append(time.perf_counter() - started)
        browser.close()
    return _summary(times)


def run_app_bench(users: int = 10) -> dict:
    from assistant.config import Settings
    from assistant.service import Assistant

    questions = [it["question"] for it in load_dataset() if it["answerable"] and it.get("type") == "factual"]
    with tempfile.TemporaryDirectory(prefix="qca-app-bench-") as data_dir:
        Assistant(Settings(data_dir=Path(data_dir), _env_file=None)).ingest([ROOT / "corpus"], progress=False)
        port = free_port()
        env = {**os.environ, "QCA_DATA_DIR": data_dir, "QCA_PORT": str(port), "HF_HUB_OFFLINE": "1",
               "GRADIO_ANALYTICS_ENABLED": "False"}
        env.pop("QCA_AUTH_FILE", None)
        url = f"http://127.0.0.1:{port}/"
        started = time.perf_counter()
        app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            wait_for_http(url, timeout=180)
            cold_start = round(time.perf_counter() - started, 1)
            idle_mb = _rss_mb(app.pid)
            browser = browser_latency(url, questions[:5])
            crowd = concurrent_users(url, questions[5:], users)
            return {"cold_start_s": cold_start, "rss_idle_mb": idle_mb, "browser_answer": browser,
                    f"{users}_users": crowd, "rss_after_mb": _rss_mb(app.pid)}
        finally:
            app.terminate()
            app.wait(timeout=30)
