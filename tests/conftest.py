from __future__ import annotations

from pathlib import Path

import pytest

import sitreps
from sitreps.model import Analysis

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "reports" / "kharkiv-strikes.txt"
CORPUS = ROOT / "examples" / "reports" / "reports.jsonl"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed(seed_text: str) -> Analysis:
    return sitreps.analyze(seed_text)


def claims_of(analysis: Analysis, fragment: str) -> list:
    """The claims whose content contains `fragment`."""
    found = [c for c in analysis.claims if fragment in c.span.text]
    assert found, f"no claim contains {fragment!r}"
    return found


def source_names(analysis: Analysis, claim) -> list[str]:
    return [analysis.source(s).name for s in claim.attribution]
