"""`sitreps bench`, run small: every measurement runs and the report says what it measured.
The figures themselves are not checked here (they belong to the machine), only that they
are measured."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports" / "reports.jsonl"


def test_bench_measures_everything_and_writes_its_report(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
    command = [
        sys.executable, "-m", "sitreps", "bench",
        "--texts", str(EXAMPLES),
        "--reports", str(EXAMPLES),
        "--documents", "5",
        "--events", "3000",
        "--queries", "20",
        "--store-size", "40",
        "--added", "3",
        "--incident-size", "3",
        "--incident-size", "12",
        "--ray-workers", "1",
        "--work-dir", str(tmp_path / "work"),
        "--output", str(report),
        "--json",
    ]  # fmt: skip
    # its own process, as a user runs it: the report names the command that made it
    result = subprocess.run(command, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    figures = json.loads(result.stdout)
    bare, full, fast = figures["analysis"]
    assert bare["documents"] == full["documents"] == fast["documents"] == 5
    assert min(m["docs_per_second"] for m in (bare, full, fast)) > 0
    assert full["peak_rss_mb"] > 100  # the models are loaded in the measuring process
    assert fast["label"] == "sitreps analyze --mode fast"
    from sitreps.pipeline import STAGES

    for mode in (full, fast):  # each stage timed, in the pipeline's order
        assert list(mode["stage_seconds"]) == [stage.name for stage in STAGES]
        assert all(seconds > 0 for seconds in mode["stage_seconds"].values())
        assert sum(mode["stage_seconds"].values()) <= mode["seconds"]
    assert figures["latency"]["events"] == 3000 and figures["latency"]["queries"] == 20
    assert figures["latency"]["p95_ms"] >= figures["latency"]["p50_ms"] > 0
    (cost,) = figures["ingest"]
    assert cost["reports_before"] == 40 and cost["reports_added"] == 3
    small, large = figures["incident"]
    assert (small["reports_before"], large["reports_before"]) == (3, 12)
    assert large["reports_after"] == 12 + 3  # each report stored joined the one incident
    (ray,) = figures["ray"]
    assert ray["workers"] == 1 and ray["documents"] == 10  # the texts twice over

    written = report.read_text()
    assert written.startswith("# Performance")
    assert "sitreps bench --texts" in written and "Machine: " in written
    for heading in (
        "## Targets",
        "fast mode ≥ 200 docs/s/core",
        "places stage ≥ 150 docs/s/core",
        "| places |",
        "## Analysis on one core",
        "## `/events` latency",
        "## Ingest cost",
        "## Storing cost as an incident grows",
        "## Ray",
    ):
        assert heading in written
    assert re.search(r"takes \d+\.\d\d × the time of the bare spaCy parse", written)
    assert not list((tmp_path / "work").glob("bench-*-trial*"))  # the trial copies are gone
