"""A llama.cpp worker that misbehaves once, mid-answer, then works: started by the tests instead of the real one.

--fault segv kills itself with SIGSEGV, kill with SIGKILL (what the out-of-memory killer sends), hang stops
answering. The marker file makes it misbehave only the first time, so the restarted worker answers normally."""

import argparse
import os
import signal
import time
from pathlib import Path

from assistant.answering.llama_worker import serve, stream_tokens

TOKENS_BEFORE_FAULT = 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--fault", choices=["segv", "kill", "hang"], required=True)
    parser.add_argument("--marker", type=Path, required=True)
    args = parser.parse_args()

    def misbehave() -> None:
        args.marker.touch()
        if args.fault == "hang":
            time.sleep(3600)
        os.kill(os.getpid(), signal.SIGSEGV if args.fault == "segv" else signal.SIGKILL)

    def tokens(model, request):
        for count, token in enumerate(stream_tokens(model, request), start=1):
            yield token
            if count == TOKENS_BEFORE_FAULT and not args.marker.exists():
                misbehave()

    serve(args.model, args.n_ctx, tokens=tokens)


if __name__ == "__main__":
    main()
