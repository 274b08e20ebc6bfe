"""Sign-in that a guesser cannot hammer and a flood cannot stall.

Gradio's /login calls the auth function on its event loop, so a scrypt check (tens of milliseconds and 16 MB)
there holds up every user's request; and it counts nothing, so passwords can be guessed at full speed. Here the
check runs in a worker thread (at most SIGNIN_THREADS at once), and an ASGI guard in front of /login backs off
exponentially after failed attempts, per user name and per client address, answering 429 with Retry-After
before any password is hashed."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs

from assistant.auth import UserStore

SIGNIN_THREADS = 2  # scrypt is CPU-bound; more threads than cores only queue in the kernel instead of here
FIRST_WAIT_SECONDS = 1.0  # after the free attempts: 1 s, then 2, 4, 8 ... up to the configured longest wait
REMEMBERED_KEYS = 10_000  # names and addresses with failures; the oldest are forgotten, so a flood cannot fill memory
MAX_SIGNIN_BODY = 8192  # bytes of a sign-in form: a name and a password of at most MAX_PASSWORD characters


@dataclass
class _Failures:
    count: int = 0
    blocked_until: float = 0.0


class SignInThrottle:
    """Exponential back-off after failed sign-ins, per key ("user:NAME", "addr:IP"); a success clears its keys."""

    def __init__(self, free_failures: int, longest_wait: float, clock: Callable[[], float] = time.monotonic):
        self.free_failures, self.longest_wait, self.clock = free_failures, longest_wait, clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds until every key may try again; 0 when it may now."""
        now = self.clock()
        with self._lock:
            waits = [record.blocked_until - now for key in keys if (record := self._failures.get(key))]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                record = self._failures.pop(key, None) or _Failures()
                record.count += 1
                if record.count > self.free_failures:
                    doubling = record.count - self.free_failures - 1
                    record.blocked_until = now + min(FIRST_WAIT_SECONDS * 2 ** min(doubling, 32), self.longest_wait)
                self._failures[key] = record  # most recent last
            while len(self._failures) > REMEMBERED_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def signin_check(store: UserStore):
    """Gradio's auth function: the password check in a worker thread, never on the event loop."""
    import anyio

    limiter: list[anyio.CapacityLimiter] = []  # made on first use, inside the server's event loop

    async def check(name: str, password: str) -> bool:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(SIGNIN_THREADS))
        return await anyio.to_thread.run_sync(lambda: store.verify(name, password) is not None, limiter=limiter[0])

    return check


class SignInGuard:
    """ASGI middleware in front of POST .../login: refuses throttled names and addresses, counts the outcome."""

    def __init__(self, app, throttle: SignInThrottle):
        self.app, self.throttle = app, throttle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].rstrip("/").endswith("/login"):
            return await self.app(scope, receive, send)
        body = await _read_body(receive)
        if body is None:
            return await _refuse(send, 413, "the sign-in form is too large")
        name = parse_qs(body.decode("utf-8", "replace")).get("username", [""])[0].strip().lower()
        keys = [f"user:{name}", f"addr:{(scope.get('client') or ('?',))[0]}"]
        wait = self.throttle.wait(keys)
        if wait > 0:
            return await _refuse(send, 429, f"too many failed sign-ins; try again in {math.ceil(wait)} s",
                                 retry_after=math.ceil(wait))
        replayed, status = [], []

        async def replay():  # the body once, then whatever the client sends next (a disconnect)
            if replayed:
                return await receive()
            replayed.append(True)
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, replay, watch)
        if status == [200]:
            self.throttle.succeeded(keys)
        elif status and status[0] in (400, 401):
            self.throttle.failed(keys)


async def _read_body(receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_SIGNIN_BODY:
            return None
        if not message.get("more_body"):
            return b"".join(chunks)


async def _refuse(send, status: int, detail: str, retry_after: int | None = None) -> None:
    headers = [(b"content-type", b"application/json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps({"detail": detail}).encode()})
