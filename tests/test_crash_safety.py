"""Crash safety: `sitreps ingest` killed with SIGKILL at random points, twenty times, and
resumed each time: no committed report is lost, none is stored twice, and the integrity
check finds the store whole after every kill.

Each killed run is forked by tests/ingest_zygote.py, a process that has loaded the models,
so that a round costs the ingest and not the model loading; the run is the CLI's own entry
point, exactly as `sitreps ingest FOLDER --db FILE`. The last, resuming run and
`sitreps check` are plain subprocesses.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitreps.store import Store
from sitreps.store.integrity import check

ZYGOTE = Path(__file__).parent / "ingest_zygote.py"
FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
KILLS = 20
REPORTS = 160
PLACES = ["Kharkiv", "Odesa", "Nikopol", "Kherson", "Sumy", "Zaporizhzhia", "Dnipro", "Izium"]


def _reports(folder: Path, count: int) -> None:
    """Distinct short war reports, one file each."""
    rng = random.Random(7)
    for number in range(count):
        place, other = rng.sample(PLACES, 2)
        text = (
            f"{place}, report {number}. Russian forces launched {rng.randint(2, 30)} drones at "
            f"{place} overnight, the regional governor said. {rng.randint(1, 9)} people were "
            f"injured and a warehouse was destroyed. Ukrainian forces shelled positions near "
            f"{other}, according to the Russian Defence Ministry."
        )
        (folder / f"report-{number:03d}.txt").write_text(text, encoding="utf-8")


def _reports_stored(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM reports").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:  # ended, and reaped by the zygote
        return False
    return True


def _answer(zygote: subprocess.Popen[str], expected: str) -> int:
    assert zygote.stdout is not None
    line = zygote.stdout.readline().split()
    assert line and line[0] == expected, f"zygote said {line!r}"
    return int(line[1]) if len(line) > 1 else 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_ingest_killed_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    _reports(folder, REPORTS)
    db = tmp_path / "crash.db"
    Store.open(db).close()
    zygote = subprocess.Popen(
        [sys.executable, str(ZYGOTE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert zygote.stdin is not None
    rng = random.Random(20261125)
    committed = 0
    try:
        _answer(zygote, "ready")
        for kill in range(1, KILLS + 1):
            # two documents a window: commits come close together, so kills land in an
            # analysis, in a transaction and between two
            zygote.stdin.write(f"ingest\t{folder}\t--db\t{db}\t--window\t2\n")
            zygote.stdin.flush()
            pid = _answer(zygote, "started")
            # Wait until this run has committed a report, then kill it a random moment
            # later: in an analysis, in a transaction, or between two.
            # However long a loaded machine takes, while the run is alive; only a run that
            # hangs for ten minutes fails here.
            hung = time.monotonic() + 600
            while _reports_stored(db) <= committed:
                assert _alive(pid), "the run ended before it committed a report"
                assert time.monotonic() < hung, "the ingest stored nothing in ten minutes"
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.6))
            os.kill(pid, signal.SIGKILL)
            status = _answer(zygote, "ended")
            assert os.WIFSIGNALED(status), "the run ended before it was killed: add reports"
            stored = _reports_stored(db)
            assert stored >= committed, f"kill {kill}: a committed report was lost"
            committed = stored
            store = Store.open(db, migrate=False)
            assert [str(p) for p in check(store)] == [], f"after kill {kill}"
            store.close()
    finally:
        zygote.kill()
        zygote.wait()
    assert committed < REPORTS, "every report was in before the last kill: nothing to resume"

    resumed = subprocess.run(
        [sys.executable, "-m", "sitreps", "ingest", str(folder), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{REPORTS - committed} ingested" in resumed.stderr
    assert f"{committed} unchanged" in resumed.stderr
    with sqlite3.connect(db) as connection:
        keys = connection.execute("SELECT count(*), count(DISTINCT document_key) FROM reports")
        assert keys.fetchone() == (REPORTS, REPORTS)
        ingested = connection.execute(
            "SELECT count(*), count(DISTINCT entity_id) FROM change_log WHERE action = 'ingested'"
        )
        assert ingested.fetchone() == (REPORTS, REPORTS)
    checked = subprocess.run(
        [sys.executable, "-m", "sitreps", "check", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"store is whole: {REPORTS} reports" in checked.stdout
