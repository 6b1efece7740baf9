"""A throwaway PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary
directory, a free port on 127.0.0.1, stopped afterwards. `make test` installs the package."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(installed[-1]).parent if installed else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(directory: Path) -> Iterator[str]:
    """Start a server and yield its SQLAlchemy URL; PostgreSQL refuses to run as root, so
    as root the server runs as the `postgres` user the Debian package creates."""
    bin_dir = binaries()
    assert bin_dir is not None
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data, sockets = directory / "data", directory / "sockets"
    sockets.mkdir(parents=True)
    if as_user:
        shutil.chown(directory, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "sitreps", "-E", "UTF8")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
        str(directory / "server.log"), "start")  # fmt: skip
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "sitreps",
            "sitreps")  # fmt: skip
        yield f"postgresql+psycopg://sitreps@127.0.0.1:{port}/sitreps"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
