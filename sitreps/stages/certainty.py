"""Stage: how firmly each claim is made, with the cue spans that say so.

A cue counts for a claim when it lies in the claim's own content and not in a participial
or relative clause hung off it: in "the post was obliterated, potentially crippling the
defence", "potentially" qualifies the consequence, not the obliteration.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Doc

from sitreps.model import Certainty, Cue
from sitreps.state import DocumentState, span_of, stage

GRADES = (Certainty.DENIED, Certainty.SPECULATIVE, Certainty.HEDGED)
ADJUNCT_DEPS = {"relcl", "acl", "advcl", "appos"}


def _scope(doc: Doc, tokens: set[int]) -> set[int]:
    """The claim's tokens less the clauses hung off its main clause."""
    hung = {
        sub.i
        for i in tokens
        if doc[i].dep_ in ADJUNCT_DEPS and doc[i].head.i in tokens
        for sub in doc[i].subtree
    }
    return tokens - hung


def _in_a_date(doc: Doc, words: range) -> bool:
    """The month in "3 May 2024" is no modal verb."""
    return any(doc[i].ent_type_ == "DATE" for i in words)


@stage(
    requires=(
        "doc",
        "term_matches",
        "analysis.claims",
        "claim_tokens",
    ),
    assigns=("analysis.claims",),
)
def run(state: DocumentState) -> None:
    doc = state.parsed
    matches = {grade: state.term_matches[f"certainty.{grade.value}"] for grade in GRADES}
    # Matches come sorted by start; each claim looks only at those within its own tokens,
    # which keeps a long report from comparing every claim with every match.
    starts = {grade: [m.start for m in found] for grade, found in matches.items()}
    for claim in state.analysis.claims:
        tokens = state.claim_tokens[claim.id]
        scope = _scope(doc, tokens)
        found: dict[Certainty, list[Cue]] = {}
        for grade, grade_matches in matches.items():
            first = bisect_left(starts[grade], min(tokens))
            last = bisect_right(starts[grade], max(tokens))
            for match in grade_matches[first:last]:
                covered = range(match.start, match.end)
                if all(i in scope for i in covered) and not _in_a_date(doc, covered):
                    words = doc[match.start : match.end]
                    found.setdefault(grade, []).append(
                        Cue(**span_of(words).model_dump(), kind=grade.value)
                    )
        if claim.certainty is Certainty.DENIED:  # its source denies it (attribution stage)
            found.setdefault(Certainty.DENIED, [])
        if any(cue.kind == "inference" for cue in claim.cues):
            found.setdefault(Certainty.SPECULATIVE, [])
        for grade in GRADES:
            if grade in found:
                claim.certainty = grade
                break
        claim.cues = sorted(
            [*claim.cues, *(c for cs in found.values() for c in cs)], key=lambda c: c.start
        )
