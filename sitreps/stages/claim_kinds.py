"""Stage: what each claim is about (occurrence, damage, casualties, intent, ...); an attitude
the attribution stage found stays one."""

from __future__ import annotations

from sitreps import lexicons
from sitreps.model import Certainty, ClaimKind
from sitreps.state import DocumentState, stage


@stage(
    requires=(
        "term_matches",
        "analysis.claims",
        "claim_tokens",
    ),
    assigns=("analysis.claims",),
)
def run(state: DocumentState) -> None:
    # the first kind, in the lexicon's order, whose cue is in the claim
    kinds_in_order = [ClaimKind(rule["kind"]) for rule in lexicons.load("claim_kinds")]
    found = [
        (kind, {m.start for m in state.term_matches[f"claim_kinds.{kind.value}"]})
        for kind in kinds_in_order
    ]
    for claim in state.analysis.claims:
        if claim.kind is ClaimKind.ATTITUDE:
            continue  # what a holder wants or believes, told as such (attribution stage)
        tokens = state.claim_tokens[claim.id]
        kinds = [kind for kind, starts in found if not starts.isdisjoint(tokens)]
        if claim.certainty is Certainty.SPECULATIVE:
            speculative = ClaimKind.INTENT_STRATEGY, ClaimKind.ASSESSMENT_PREDICTION
            kinds = [k for k in kinds if k in speculative] or [ClaimKind.ASSESSMENT_PREDICTION]
        claim.kind = kinds[0] if kinds else ClaimKind.OTHER
