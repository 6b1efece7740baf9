"""Stage: emotive and evaluative wording, per claim.

Every match is kept with its span; a match outside any claim's content (in a source's
descriptor, say) goes to the first claim of its sentence, so the per-report rate counts it.
"""

from __future__ import annotations

from functools import lru_cache

from sitreps import lexicons, nlp
from sitreps.matching import TermMatcher
from sitreps.model import Cue
from sitreps.state import DocumentState


@lru_cache(maxsize=1)
def _matcher() -> TermMatcher:
    lexicon = lexicons.load("loaded_language")
    return TermMatcher(nlp.load(), [*lexicon["words"], *lexicon["phrases"]])


def run(state: DocumentState) -> None:
    doc = state.parsed
    claims = state.analysis.claims
    for match in _matcher().find(doc):
        words = doc[match.start : match.end]
        cue = Cue(start=words.start_char, end=words.end_char, text=words.text, kind="loaded")
        sentence = next(s.index for s in state.analysis.sentences if s.start <= cue.start < s.end)
        owner = next(
            (c for c in claims if match.start in state.claim_tokens[c.id]),
            next((c for c in claims if c.sentence == sentence), None),
        )
        if owner is not None:
            owner.loaded_language.append(cue)
