"""The command line on real files: in this process through the CLI's entry point, and once
as a user runs it, `python -m sitreps` in a process of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CORPUS, SEED
from tests.conftest import run_cli as sitreps


def test_a_real_process_analyses_stdin_and_documents_its_exit_codes() -> None:
    command = [sys.executable, "-m", "sitreps", "analyze", "-", "--format", "markdown"]
    result = subprocess.run(
        command, input=b"Russian forces shelled Kharkiv on Friday.", capture_output=True
    )
    assert result.returncode == 0, result.stderr
    assert b"## Events" in result.stdout and b"Kharkiv" in result.stdout
    helped = sitreps("analyze", "--help")
    assert helped.returncode == 0 and "Exit codes" in helped.stdout


def test_analyze_json_matches_the_printed_schema() -> None:
    result = sitreps("analyze", str(SEED))
    assert result.returncode == 0, result.stderr
    schema = json.loads(sitreps("schema").stdout)
    jsonschema.validate(json.loads(result.stdout), schema)


def test_markdown_report_shows_claims_events_and_places() -> None:
    result = sitreps("analyze", str(SEED), "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for heading in ("## Claims", "## Events", "## Places", "## Sources"):
        assert heading in text
    assert "Sergei Lebedev" in text and "Balakliya" in text and "49.9818, 36.2548" in text


def test_html_report_escapes_hostile_text(tmp_path: Path) -> None:
    report = tmp_path / "hostile.txt"
    report.write_text(
        "Shelling hit Kharkiv, the mayor said. <script>alert(1)</script> "
        '<img src=x onerror="alert(2)">',
        encoding="utf-8",
    )
    result = sitreps("analyze", str(report), "--format", "html")
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_metadata_options_and_stdin() -> None:
    result = sitreps(
        "analyze",
        "-",
        "--outlet",
        "Kharkiv City News",
        "--published-at",
        "2026-10-16T15:00:00",
        stdin="Russian forces shelled Kharkiv on Friday, the mayor said.",
    )
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    assert analysis["report"]["outlet"] == "Kharkiv City News"
    assert analysis["events"][0]["date_start"] == "2026-10-16"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "input is empty"),
        (b"   \n\t\n", "input is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "looks binary"),
    ],
    ids=["empty", "whitespace", "binary"],
)
def test_refused_input_gets_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    result = sitreps("analyze", str(path))
    assert result.returncode == 3
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_huge_text_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Shelling was reported in Kharkiv overnight. " * 460_000)  # about 20 MB
    result = sitreps("analyze", str(path))
    assert result.returncode == 3
    assert "over the limit" in result.stderr and "--max-chars" in result.stderr


def test_invalid_utf8_is_analysed_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        "Russian forces shelled Kharkiv, the governor said. Caf\u00e9 closed.".encode("latin-1")
    )
    result = sitreps("analyze", str(path))
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    assert analysis["warnings"][0]["code"] == "invalid_utf8"
    assert "Kharkiv" in {p["name"] for p in analysis["places"]}


def test_missing_file_is_a_usage_error() -> None:
    result = sitreps("analyze", "does/not/exist.txt")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_batch_skips_bad_records_and_keeps_the_rest(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(
            {"text": "Russian drones struck Odesa overnight, the governor said.", "title": "ok"}
        ),
        "{not json",
        json.dumps({"text": "   "}),
        json.dumps({"title": "no text"}),
        json.dumps({"text": "Shelling hit Nikopol on Sunday.", "published_at": "2026-10-18"}),
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = sitreps("analyze", str(batch), "--output", str(output))
    assert result.returncode == 3
    analyses = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(analyses) == 2
    assert result.stderr.count("refused") == 3


def test_the_example_corpus_analyses_cleanly(tmp_path: Path) -> None:
    output = tmp_path / "corpus.jsonl"
    result = sitreps("analyze", str(CORPUS), "--output", str(output))
    assert result.returncode == 0, result.stderr
    analyses = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(analyses) >= 24
    assert sum(len(a["events"]) for a in analyses) >= 24
