"""Stage: emotive and evaluative wording, per claim.

Every match is kept with its span; a match outside any claim's content (in a source's
descriptor, say) goes to the first claim of its sentence, so the per-report rate counts it.
"""

from __future__ import annotations

from sitreps.model import Claim, Cue
from sitreps.state import DocumentState, span_of, stage


@stage(
    requires=(
        "doc",
        "term_matches",
        "analysis.claims",
        "claim_at_token",
    ),
    assigns=("analysis.claims",),
)
def run(state: DocumentState) -> None:
    doc = state.parsed
    claim_at = state.claim_at_token
    first_of_sentence: dict[int, Claim] = {}
    for claim in state.analysis.claims:
        first_of_sentence.setdefault(claim.sentence, claim)
    sentence_of = {sentence.start: index for index, sentence in enumerate(doc.sents)}
    for match in state.term_matches["loaded_language"]:
        words = doc[match.start : match.end]
        cue = Cue(**span_of(words).model_dump(), kind="loaded")
        sentence = sentence_of[words.sent.start]
        owner = claim_at.get(match.start, first_of_sentence.get(sentence))
        if owner is not None:
            owner.loaded_language.append(cue)
