"""Sign-in: exponential back-off per name and per address (429 with Retry-After, before any password is hashed),
a success clears it, and the password check runs off the server's event loop."""

import asyncio
import threading
import time

import pytest

from assistant.app.signin import FIRST_WAIT_SECONDS, REMEMBERED_KEYS, SignInThrottle, signin_check
from assistant.auth import UserStore
from tests.helpers import SMALL_CORPUS, running_app

pytestmark = pytest.mark.security


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_back_off_doubles_after_the_free_failures_and_a_success_clears_it():
    clock = Clock()
    throttle = SignInThrottle(free_failures=3, longest_wait=5.0, clock=clock)
    keys = ["user:vic", "addr:10.0.0.1"]
    waits = []
    for _ in range(7):
        waits.append(throttle.wait(keys))
        throttle.failed(keys)
    assert waits == [0, 0, 0, 0, FIRST_WAIT_SECONDS, 2 * FIRST_WAIT_SECONDS, 4 * FIRST_WAIT_SECONDS]
    assert throttle.wait(keys) == 5.0  # capped at the longest wait
    assert throttle.wait(["user:eda"]) == 0 and throttle.wait(["user:eda", "addr:10.0.0.1"]) == 5.0
    clock.now += 5.0
    throttle.succeeded(keys)
    throttle.failed(keys)
    assert throttle.wait(keys) == 0  # counting starts again


def test_a_flood_of_names_cannot_fill_memory():
    throttle = SignInThrottle(free_failures=1, longest_wait=60.0, clock=Clock())
    for n in range(REMEMBERED_KEYS + 500):
        throttle.failed([f"user:guess{n}"])
    assert len(throttle._failures) == REMEMBERED_KEYS


def test_the_password_check_runs_in_a_worker_thread(tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add_user("vic", "viewer-pass-1", "viewer")
    threads = []
    real_verify = store.verify
    store.verify = lambda name, password: threads.append(threading.current_thread()) or real_verify(name, password)
    check = signin_check(store)

    async def both():
        return await asyncio.gather(check("vic", "viewer-pass-1"), check("vic", "wrong"))

    assert asyncio.run(both()) == [True, False]
    assert threads and threading.main_thread() not in threads


def test_the_server_backs_off_repeated_failures(tmp_path):
    import requests

    store = UserStore(tmp_path / "users.json")
    store.add_user("vic", "viewer-pass-1", "viewer")
    with running_app(tmp_path / "data", SMALL_CORPUS, store.path, signin_free_failures="2",
                     signin_longest_wait_s="2") as url:
        def sign_in(password):
            return requests.post(f"{url}login", data={"username": "vic", "password": password}, timeout=30)

        assert [sign_in("wrong").status_code for _ in range(3)] == [400, 400, 400]  # two free, then a wait
        blocked = sign_in("viewer-pass-1")  # even the right password waits: no hashing while blocked
        assert blocked.status_code == 429 and "try again" in blocked.json()["detail"]
        time.sleep(int(blocked.headers["Retry-After"]))
        assert sign_in("viewer-pass-1").status_code == 200
        assert sign_in("wrong").status_code == 400  # the success cleared the count
