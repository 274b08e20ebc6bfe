"""Local GGUF inference in a child process, so a native crash, a hang or an out-of-memory kill of llama.cpp
costs one answer (a BackendError, then the extractive fallback) instead of the serving process.

Protocol: JSON lines. The parent writes one request per line ({"messages", "max_tokens", "stop"}); the child
answers {"ready": true} once the model is loaded, then per request {"token": text} lines and {"end": true},
or {"error": message}. The child exits when its stdin closes, so it never outlives its parent."""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from assistant.errors import BackendError

LOAD_TIMEOUT_S = 120.0  # loading a GGUF of a few hundred MB takes seconds; minutes means something is wrong
STDERR_TAIL_LINES = 5  # the child's last stderr lines go into the error message


def worker_command(model_path: str, n_ctx: int) -> list[str]:
    """The child's command line; a module-level function so tests can start a misbehaving worker instead."""
    return [sys.executable, "-m", "assistant.answering.llama_worker", "--model", model_path, "--n-ctx", str(n_ctx)]


def _signal_name(returncode: int) -> str:
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"{name}, probably out of memory" if name == "SIGKILL" else name


class LocalModelWorker:
    """One child process holding one GGUF model; requests are serialised; a dead worker restarts on next use."""

    def __init__(self, model_path: str, n_ctx: int):
        self.model_path, self.n_ctx = model_path, n_ctx
        self._proc: subprocess.Popen | None = None
        self._buffer = b""
        self._stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def stream(self, messages: list[dict[str, str]], max_tokens: int, stop: list[str],
               timeout: float) -> Iterator[str]:
        """Tokens of one chat completion; BackendError when the child dies, errs or is silent past `timeout`."""
        with self._lock:
            finished = False
            try:
                self._ensure_started()
                self._send({"messages": messages, "max_tokens": max_tokens, "stop": stop})
                deadline = time.monotonic() + timeout
                while True:
                    reply = self._read(deadline, f"no answer within {timeout:g}s (QCA_LLM_TIMEOUT)")
                    if "token" in reply:
                        yield reply["token"]
                    elif reply.get("end"):
                        finished = True
                        return
                    else:
                        finished = True  # the child reported an error and is ready for the next request
                        raise BackendError(f"local model {self.model_path}: {reply.get('error', reply)}")
            finally:
                if not finished:  # crashed, timed out, or the caller stopped reading: never reuse a half-read stream
                    self.stop()

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
        self._proc, self._buffer = None, b""

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self.stop()
        self._stderr_tail.clear()
        self._proc = subprocess.Popen(worker_command(self.model_path, self.n_ctx), stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._drain_stderr, args=(self._proc,), daemon=True).start()
        reply = self._read(time.monotonic() + LOAD_TIMEOUT_S, f"the model did not load within {LOAD_TIMEOUT_S:g}s")
        if not reply.get("ready"):
            raise BackendError(f"local model {self.model_path} failed to load: {reply.get('error', reply)}")

    def _drain_stderr(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self._stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    def _send(self, request: dict[str, Any]) -> None:
        try:
            self._proc.stdin.write(json.dumps(request, ensure_ascii=False).encode() + b"\n")
            self._proc.stdin.flush()
        except OSError:
            self._died()

    def _read(self, deadline: float, silence: str) -> dict[str, Any]:
        """The next JSON line from the child, waiting at most until `deadline`."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise BackendError(f"local model {self.model_path}: {silence}; the worker process was stopped "
                                       "and restarts on the next request")
                chunk = os.read(self._proc.stdout.fileno(), 65536)
                if not chunk:
                    self._died()
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _died(self) -> None:
        returncode = self._proc.wait()
        time.sleep(0.05)  # let the stderr thread catch the child's last words
        last = f" (last output: {self._stderr_tail[-1][:200]})" if self._stderr_tail else ""
        self._proc = None
        raise BackendError(f"the local model process for {self.model_path} died ({_signal_name(returncode)}){last}; "
                           "it restarts on the next request")


_workers: dict[tuple[str, int], LocalModelWorker] = {}  # filled on first use; one per model file and context
_workers_lock = threading.Lock()


def model_worker(model_path: str, n_ctx: int) -> LocalModelWorker:
    """The worker of this model, shared by every request: loading takes seconds and hundreds of MB."""
    with _workers_lock:
        return _workers.setdefault((model_path, n_ctx), LocalModelWorker(model_path, n_ctx))


def stop_workers() -> None:
    """Stop every worker process (they also exit on their own when this process ends)."""
    with _workers_lock:
        for worker in _workers.values():
            worker.stop()
        _workers.clear()


# --- the child side ------------------------------------------------------------------------------------------


def load_model(model_path: str, n_ctx: int):
    """llama.cpp with greedy-friendly settings; Gemma GGUFs may carry no chat template, so name the format."""
    from llama_cpp import Llama

    chat_format = "gemma" if "gemma" in os.path.basename(model_path).lower() else None
    return Llama(model_path=model_path, n_ctx=n_ctx, n_threads=2, verbose=False, seed=0, chat_format=chat_format)


def stream_tokens(model, request: dict[str, Any]) -> Iterator[str]:
    """Greedy decoding, so answers are repeatable."""
    for part in model.create_chat_completion(messages=request["messages"], max_tokens=request["max_tokens"],
                                             temperature=0.0, stream=True, stop=request["stop"]):
        delta = part["choices"][0]["delta"].get("content") or ""
        if delta:
            yield delta


def serve(model_path: str, n_ctx: int, load: Callable = load_model, tokens: Callable = stream_tokens) -> None:
    """Answer requests from stdin until it closes; `load` and `tokens` are parameters for fault-injection tests."""
    # The protocol gets a private copy of stdout; anything native code prints goes to stderr instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def send(payload: dict[str, Any]) -> None:
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()

    try:
        model = load(model_path, n_ctx)
    except Exception as exc:  # a file that is not a GGUF, too little memory for the context
        send({"error": f"{type(exc).__name__}: {str(exc)[:300]}"})
        return
    send({"ready": True})
    for line in sys.stdin:
        try:
            for token in tokens(model, json.loads(line)):
                send({"token": token})
            send({"end": True})
        except Exception as exc:
            send({"error": f"{type(exc).__name__}: {str(exc)[:300]}"})


def main() -> None:
    parser = argparse.ArgumentParser(description="QC Assist's llama.cpp worker process (started by the app).")
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-ctx", type=int, default=4096)
    args = parser.parse_args()
    serve(args.model, args.n_ctx)


if __name__ == "__main__":
    main()
