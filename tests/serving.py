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
def served(db: Path, api_keys: str) -> Iterator[str]:
    """The address of a `sitreps serve` over `db`, answering once this yields."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sitreps", "serve", "--db", str(db), "--port", str(port)],
        env={**os.environ, "SITREPS_API_KEYS": api_keys},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, "sitreps serve exited"
                assert time.monotonic() < deadline, "sitreps serve did not answer in 60 s"
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
