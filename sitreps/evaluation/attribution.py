"""Attribution evaluation over the PolNeAR JSONL format: who (source) says (cue) what
(content), each role scored on its own with exact and overlap span matching.

A predicted attribution is what one attribution cue introduces in the claims sitreps
attributes to a source other than the outlet: its source is the words naming that source
there, its cue the cue's words, its content the words of those claims (a quote over several
sentences is a claim per sentence); the words of one nested in another's content are part
of that content too, as PolNeAR annotates it. Statements and attitudes are also scored apart. Spans
are compared as sets of word tokens
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

from sitreps import nlp, progress
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF
from sitreps.model import Analysis, ClaimKind, Mode, TextPart
from sitreps.pipeline import analyze
from sitreps.stages import attribution as attribution_stage

ROLES = ("source", "cue", "content")
_WORD = re.compile(r"\w+")

_Words = frozenset[int]  # start offsets of the words a span covers
_STATEMENT, _ATTITUDE = "statement", "attitude"
_KINDS = (_STATEMENT, _ATTITUDE)


def words(text: str, ranges: Iterable[tuple[int, int]]) -> _Words:
    """Start offsets of the words in the spans; for a span of punctuation alone (the cue
    ":" of "Graham: ..."), its characters."""
    spans = list(ranges)
    found = frozenset(m.start() for start, end in spans for m in _WORD.finditer(text, start, end))
    if found:
        return found
    return frozenset(i for start, end in spans for i in range(start, end) if not text[i].isspace())


_Found = dict[str, dict[str, list[_Words]]]  # kind ("statement" or "attitude") -> role -> spans


def _predicted(analysis: Analysis) -> _Found:
    """The words of each role per attribution, by kind: the claims one cue introduces (a
    quote over several sentences is a claim per sentence) are one attribution, one content.
    An attribution nested in another's content ("TASS reported that the ministry said X")
    leaves that content whole, as PolNeAR annotates it: sitreps's claim of the outer one
    holds only "that the ministry said", so the inner one's words are added back to it. The
    inner attribution is compared too."""
    text = analysis.report.text
    by_cue: dict[tuple[tuple[int, int], ...], dict[str, list[tuple[int, int]]]] = {}
    kinds: dict[tuple[tuple[int, int], ...], str] = {}
    chains: dict[tuple[tuple[int, int], ...], list[str]] = {}
    for claim in analysis.claims:
        if len(claim.attribution) < 2:
            continue  # the outlet's own voice: not an attribution
        if claim.span.part is TextPart.TITLE:
            continue  # the gold annotates the body only
        cues = [(c.start, c.end) for c in claim.cues if c.kind == "attribution"]
        spans = by_cue.setdefault(tuple(cues), {"source": [], "cue": cues, "content": []})
        kinds[tuple(cues)] = _ATTITUDE if claim.kind is ClaimKind.ATTITUDE else _STATEMENT
        chains[tuple(cues)] = claim.attribution
        if (mention := claim.source_mention) and not spans["source"]:
            spans["source"] = [(mention.start, mention.end)]
        spans["content"].append((claim.span.start, claim.span.end))
    whole = {key: list(spans["content"]) for key, spans in by_cue.items()}
    # Innermost first, so a content nested twice reaches the outermost attribution.
    for key in sorted(by_cue, key=lambda k: len(chains[k]), reverse=True):
        outer = _outer(key, by_cue, chains)
        if outer is not None:
            whole[outer] += whole[key]
    for key, contents in whole.items():
        by_cue[key]["content"] = contents
    found: _Found = {kind: {role: [] for role in ROLES} for kind in _KINDS}
    for key, spans in by_cue.items():
        for role, ranges in spans.items():
            spanned = words(text, ranges)
            if spanned and spanned not in found[kinds[key]][role]:
                found[kinds[key]][role].append(spanned)
    return found


def _outer(
    key: tuple[tuple[int, int], ...],
    by_cue: dict[tuple[tuple[int, int], ...], dict[str, list[tuple[int, int]]]],
    chains: dict[tuple[tuple[int, int], ...], list[str]],
) -> tuple[tuple[int, int], ...] | None:
    """The attribution whose content holds this one's cue and whose chain this one's
    extends: the one it is nested in."""
    if not key:
        return None
    chain, cue_start = chains[key], key[0][0]
    for other, spans in by_cue.items():
        prefix = chains[other]
        if other == key or len(prefix) >= len(chain) or chain[: len(prefix)] != prefix:
            continue
        contents = spans["content"]
        if min(s for s, _ in contents) <= cue_start < max(e for _, e in contents):
            return other
    return None


def gold_words(record: dict[str, Any]) -> dict[str, list[_Words]]:
    """The gold spans of each role."""
    text = record["text"]
    return {
        role: [w for a in record.get("attributions", []) if (w := words(text, _ranges(a, role)))]
        for role in ROLES
    }


def _ranges(attribution: dict[str, Any], role: str) -> list[tuple[int, int]]:
    return [(s["start"], s["end"]) for s in attribution.get(role) or []]


def _gold(record: dict[str, Any]) -> _Found:
    """The gold spans of each role, by kind: an attitude where the cue is one of the
    attitude cues sitreps knows (PolNeAR itself does not tell them apart)."""
    text = record["text"]
    found: _Found = {kind: {role: [] for role in ROLES} for kind in _KINDS}
    for attribution in record.get("attributions", []):
        cue = " ".join(s["text"] for s in attribution.get("cue") or [])
        attitude = attribution_stage.kind_of(list(nlp.load()(cue))) is ClaimKind.ATTITUDE
        for role in ROLES:
            if spanned := words(text, _ranges(attribution, role)):
                found[_ATTITUDE if attitude else _STATEMENT][role].append(spanned)
    return found


def _overlaps(predicted: _Words, gold: _Words) -> bool:
    shared = len(predicted & gold)
    return 2 * shared >= len(gold) and 2 * shared >= len(predicted)


def matches(predicted: Iterable[_Words], gold: list[_Words], exact: bool) -> int:
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
    """Each role's P/R/F1 over all attributions, exact and overlap; then exact figures for
    statements and attitudes apart (an attitude predicted for a gold statement misses)."""
    counts = {role: _Counts() for role in ROLES}
    by_kind = {kind: {role: _Counts() for role in ROLES} for kind in _KINDS}
    n_docs = 0
    for record in progress.track(read_jsonl(path), "evaluating articles"):
        n_docs += 1
        predicted = _predicted(analyze(record["text"], title=_title(record), mode=mode))
        gold = _gold(record)
        for role in ROLES:
            every = {w for kind in _KINDS for w in predicted[kind][role]}
            every_gold = [w for kind in _KINDS for w in gold[kind][role]]
            _count(counts[role], sorted(every, key=min), every_gold)
            for kind in _KINDS:
                _count(by_kind[kind][role], predicted[kind][role], gold[kind][role])
    return (
        {role: counts[role].figures() for role in ROLES}
        | {
            f"{kind}s_exact": {role: by_kind[kind][role].figures()["exact"] for role in ROLES}
            for kind in _KINDS
        }
        | {"n_docs": n_docs}
    )


def _count(counts: _Counts, predicted: list[_Words], gold: list[_Words]) -> None:
    counts.predicted += len(predicted)
    counts.gold += len(gold)
    counts.exact += matches(predicted, gold, exact=True)
    counts.overlap += matches(predicted, gold, exact=False)


def _title(record: dict[str, Any]) -> str | None:
    """The record's title, unless its text opens with it (as PolNeAR's do, the title line
    annotated there like the rest): given twice, the headline would be read twice."""
    title = (record.get("title") or "").strip()
    return None if not title or record["text"].startswith(title) else title
