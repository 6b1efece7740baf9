"""Stage: what each claim is about (occurrence, damage, casualties, intent, ...); an attitude
the attribution stage found stays one."""

from __future__ import annotations

from functools import lru_cache

from sitreps import lexicons, nlp
from sitreps.matching import TermMatcher
from sitreps.model import Certainty, ClaimKind
from sitreps.state import DocumentState, stage


@lru_cache(maxsize=1)
def _matchers() -> list[tuple[ClaimKind, TermMatcher]]:
    rules = lexicons.load("claim_kinds")
    return [(ClaimKind(rule["kind"]), TermMatcher(nlp.load(), rule["cues"])) for rule in rules]


@stage(
    requires=(
        "doc",
        "analysis.claims",
        "claim_tokens",
    ),
    assigns=("analysis.claims",),
)
def run(state: DocumentState) -> None:
    doc = state.parsed
    found = [(kind, {m.start for m in matcher.find(doc)}) for kind, matcher in _matchers()]
    for claim in state.analysis.claims:
        if claim.kind is ClaimKind.ATTITUDE:
            continue  # what a holder wants or believes, told as such (attribution stage)
        tokens = state.claim_tokens[claim.id]
        kinds = [kind for kind, starts in found if not starts.isdisjoint(tokens)]
        if claim.certainty is Certainty.SPECULATIVE:
            speculative = ClaimKind.INTENT_STRATEGY, ClaimKind.ASSESSMENT_PREDICTION
            kinds = [k for k in kinds if k in speculative] or [ClaimKind.ASSESSMENT_PREDICTION]
        claim.kind = kinds[0] if kinds else ClaimKind.OTHER
