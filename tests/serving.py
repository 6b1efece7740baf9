"""`sitreps serve` started as a user starts it, for the tests that talk to it over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(db: Path, api_keys: str, log: Path | None = None, *options: str) -> Iterator[str]:
    """The address of a `sitreps serve` over `db`, answering once this yields; its output
    goes to `log` when one is given."""
    port = free_port()
    output = log.open("wb") if log is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", "sitreps", "serve", "--db", str(db), "--port", str(port), *options],
        env={**os.environ, "SITREPS_API_KEYS": api_keys},
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # However long a loaded machine takes to start it, while it runs; only a server
        # that hangs for ten minutes fails here.
        hung = time.monotonic() + 600
        while True:
            try:
                httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, "sitreps serve exited"
                assert time.monotonic() < hung, "sitreps serve did not answer in ten minutes"
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        if output is not None:
            output.close()
