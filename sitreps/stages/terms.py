"""Stage: every lexicon list the later stages look for (`sitreps.lexicons.matched_terms`),
found in the parsed text in one pass and kept by label for them to read."""

from __future__ import annotations

from sitreps.state import DocumentState, stage


@stage(requires=("doc",), assigns=("term_matches",))
def run(state: DocumentState) -> None:
    state.term_matches = state.resources.terms.find(state.parsed)
