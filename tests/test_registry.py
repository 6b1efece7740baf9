"""The source registry: shipped entries, a user's file that wins, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import sitreps
from sitreps.model import SourceKind
from sitreps.registry import Registry
from tests.conftest import Ran, claims_of, run_cli

USER_REGISTRY = """
- name: Northwind Wire
  kind: wire_agency
  affiliation: Northwind Media Group
  reference: https://example.org/northwind/about
- name: TASS
  kind: state_affiliated_media
  affiliation: Russian state (user's wording)
  reference: https://example.org/my-notes/tass
"""


def test_shipped_entries_give_kind_affiliation_and_reference() -> None:
    analysis = sitreps.analyze(
        "TASS reported that the Russian Defence Ministry said its forces had destroyed a depot."
    )
    (claim,) = claims_of(analysis, "destroyed a depot")
    tass, ministry = (analysis.source(s) for s in claim.attribution[1:])
    assert (tass.kind, tass.affiliation) == (
        SourceKind.STATE_AFFILIATED_MEDIA,
        "Government of Russia",
    )
    assert ministry.registry_entry == "Ministry of Defence of the Russian Federation"
    assert ministry.affiliation == "Government of Russia" and ministry.reference


def test_an_official_is_matched_through_the_body_named_in_the_descriptor() -> None:
    found = Registry.load(Path("/nonexistent")).find(
        "Oleh Syniehubov", "head of the Kharkiv Regional Military Administration"
    )
    assert found is not None and found.name == "Kharkiv Regional Military Administration"


def test_the_users_entries_win(tmp_path: Path) -> None:
    user_file = tmp_path / "sources.yaml"
    user_file.write_text(USER_REGISTRY, encoding="utf-8")
    registry = Registry.load(user_file)
    tass = registry.find("TASS")
    assert tass is not None and tass.affiliation == "Russian state (user's wording)"
    assert registry.find("RIA Novosti") is not None  # the shipped ones are still there


def run_sitreps(args: list[str], registry: Path, stdin: str = "") -> Ran:
    return run_cli(*args, stdin=stdin, env={"SITREPS_SOURCES": str(registry)})


def test_the_outlet_is_described_from_the_users_file(tmp_path: Path) -> None:
    user_file = tmp_path / "sources.yaml"
    user_file.write_text(USER_REGISTRY, encoding="utf-8")
    result = run_sitreps(
        ["analyze", "-", "--outlet", "Northwind Wire", "--format", "json"],
        user_file,
        stdin="A drone hit a depot in Bryansk, the governor said.",
    )
    assert result.returncode == 0, result.stderr
    outlet = json.loads(result.stdout)["sources"][0]
    assert outlet["kind"] == "reporting_outlet"
    assert outlet["affiliation"] == "Northwind Media Group"

    listed = run_sitreps(["sources", "list", "--json"], user_file)
    assert json.loads(listed.stdout.splitlines()[0])["name"] == "Northwind Wire"


def test_a_malformed_user_file_is_a_usage_error_naming_the_entry(tmp_path: Path) -> None:
    user_file = tmp_path / "sources.yaml"
    user_file.write_text("- name: Somebody\n  kind: oracle\n", encoding="utf-8")
    result = run_sitreps(["analyze", "-"], user_file, stdin="Shelling hit Kherson.")
    assert result.returncode == 2
    assert str(user_file) in result.stderr and "entry 1" in result.stderr
