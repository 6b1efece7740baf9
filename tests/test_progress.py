"""Progress of long work: a line on stderr every few seconds when it is not a terminal
(a batch written to a log is not silent for minutes), nothing with --quiet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitreps import progress
from sitreps.cli import app


def test_lines_say_how_far_the_work_is_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with progress.shown(interval=0):
        assert list(progress.track(["a", "b", "c"], "counting")) == ["a", "b", "c"]
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("sitreps: counting 1/3 (33 %) so far")
    assert lines[-1].startswith("sitreps: counting 3/3 (100 %) done")


def test_work_inside_a_shown_task_is_part_of_it(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.shown(interval=0), progress.task("ingesting") as outer:
        for _ in progress.track(range(5), "embedding"):
            pass
        outer.advance(note="report.txt")
    err = capsys.readouterr().err
    assert "ingesting 1 done" in err and "embedding" not in err


def test_quiet_shows_nothing_and_a_library_user_sees_nothing_unasked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with progress.shown(quiet=True, interval=0):
        list(progress.track(range(3), "counting"))
    list(progress.track(range(3), "counting"))
    assert capsys.readouterr().err == ""


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    texts = ["Russian forces shelled Kherson on Monday.", "A drone hit a depot in Sumy."]
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    return path


def test_a_batch_analysis_reports_its_progress_unless_quiet(batch: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    runner = CliRunner()
    shown = runner.invoke(app, ["analyze", str(batch), "--output", str(output)])
    assert shown.exit_code == 0, shown.stderr
    assert "sitreps: analysing 2/2 (100 %) done" in shown.stderr
    quiet = runner.invoke(app, ["analyze", str(batch), "--output", str(output), "--quiet"])
    assert quiet.exit_code == 0 and "sitreps: analysing" not in quiet.stderr
