"""Attribution evaluation over the PolNeAR JSONL format: who (source) says (cue) what
(content), each role scored on its own with exact and overlap span matching.

A predicted attribution is a claim sitreps attributes to a source other than the outlet:
its source is the words naming that source in the claim, its cue the attribution cue
words, its content the claim's span. Spans are compared as sets of word tokens
(punctuation ignored); a gold span may be discontinuous. Exact: the same words. Overlap:
at least half of the gold span's words and half of the predicted span's words shared.
Matching is one to one within a document, best overlap first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitreps import progress
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF
from sitreps.model import Analysis, Mode, TextPart
from sitreps.pipeline import analyze

ROLES = ("source", "cue", "content")
_WORD = re.compile(r"\w+")

_Words = frozenset[int]  # start offsets of the words a span covers


def _words(text: str, ranges: Iterable[tuple[int, int]]) -> _Words:
    """Start offsets of the words in the spans; for a span of punctuation alone (the cue
    ":" of "Graham: ..."), its characters."""
    spans = list(ranges)
    words = frozenset(m.start() for start, end in spans for m in _WORD.finditer(text, start, end))
    if words:
        return words
    return frozenset(i for start, end in spans for i in range(start, end) if not text[i].isspace())


def _predicted(analysis: Analysis) -> dict[str, set[_Words]]:
    text = analysis.report.text
    found: dict[str, set[_Words]] = {role: set() for role in ROLES}
    for claim in analysis.claims:
        if len(claim.attribution) < 2:
            continue  # the outlet's own voice: not an attribution
        if claim.span.part is TextPart.TITLE:
            continue  # the gold annotates the body only
        cues = [(c.start, c.end) for c in claim.cues if c.kind == "attribution"]
        spans = {
            "source": [(m.start, m.end)] if (m := claim.source_mention) else [],
            "cue": cues,
            "content": [(claim.span.start, claim.span.end)],
        }
        for role, ranges in spans.items():
            words = _words(text, ranges)
            if words:
                found[role].add(words)
    return found


def _gold(record: dict[str, Any]) -> dict[str, list[_Words]]:
    text = record["text"]
    found: dict[str, list[_Words]] = {role: [] for role in ROLES}
    for attribution in record.get("attributions", []):
        for role in ROLES:
            words = _words(text, ((s["start"], s["end"]) for s in attribution.get(role) or []))
            if words:
                found[role].append(words)
    return found


def _overlaps(predicted: _Words, gold: _Words) -> bool:
    shared = len(predicted & gold)
    return 2 * shared >= len(gold) and 2 * shared >= len(predicted)


def _matches(predicted: Iterable[_Words], gold: list[_Words], exact: bool) -> int:
    """One-to-one matches, pairs with the most shared words first."""
    pairs = sorted(
        (
            (len(p & g), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(gold)
            if (p == g if exact else _overlaps(p, g))
        ),
        reverse=True,
    )
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    for _, i, j in pairs:
        if i not in used_predicted and j not in used_gold:
            used_predicted.add(i)
            used_gold.add(j)
    return len(used_gold)


@dataclass
class _Counts:
    predicted: int = 0
    gold: int = 0
    exact: int = 0
    overlap: int = 0

    def figures(self) -> dict[str, dict[str, float]]:
        return {
            mode: vars(PRF.from_counts(hits, self.predicted, self.gold))
            for mode, hits in (("exact", self.exact), ("overlap", self.overlap))
        }


def evaluate_attribution(path: Path, mode: Mode = Mode.FULL) -> dict[str, Any]:
    counts = {role: _Counts() for role in ROLES}
    n_docs = 0
    for record in progress.track(read_jsonl(path), "evaluating articles"):
        n_docs += 1
        predicted = _predicted(analyze(record["text"], title=record.get("title"), mode=mode))
        gold = _gold(record)
        for role in ROLES:
            mine = sorted(predicted[role], key=min)
            counts[role].predicted += len(mine)
            counts[role].gold += len(gold[role])
            counts[role].exact += _matches(mine, gold[role], exact=True)
            counts[role].overlap += _matches(mine, gold[role], exact=False)
    return {role: counts[role].figures() for role in ROLES} | {"n_docs": n_docs}
