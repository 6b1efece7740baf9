"""Matching lexicon terms in a parsed document: single words by lemma, phrases as written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc


@dataclass(frozen=True, slots=True)
class TermMatch:
    start: int  # token indices, end exclusive
    end: int
    term: str


class TermMatcher:
    """Finds terms in Docs made by one Language; longer matches win where matches overlap."""

    def __init__(self, language: Language, terms: Iterable[str]) -> None:
        cleaned = {term.strip().lower() for term in terms if term.strip()}
        words = {term for term in cleaned if " " not in term and "-" not in term}
        # Words are compared as string hashes, all tokens at once: a Python loop over the
        # tokens, once per lexicon, cost more than the rest of the matching.
        self._word_hashes = np.array(
            sorted(language.vocab.strings.add(w) for w in words), dtype=np.uint64
        )
        phrases = sorted(cleaned - words)
        # Phrases match as written or by lemma: "command post" finds "command posts".
        self._matchers = [PhraseMatcher(language.vocab, attr=a) for a in ("LOWER", "LEMMA")]
        for phrase, parsed in zip(phrases, language.pipe(phrases), strict=True):
            self._matchers[0].add(phrase, [language.make_doc(phrase)])
            self._matchers[1].add(phrase, [parsed])

    def find(self, doc: Doc) -> list[TermMatch]:
        found = [
            TermMatch(start, end, doc.vocab.strings[match_id])
            for matcher in self._matchers
            for match_id, start, end in matcher(doc)
        ]
        # Lemmas are lower case but for proper nouns, whose lemma is the word as written.
        if len(doc):
            hits = np.isin(doc.to_array([LOWER, LEMMA]), self._word_hashes).any(axis=1)
            found += [
                TermMatch(int(i), int(i) + 1, doc[int(i)].lower_) for i in np.flatnonzero(hits)
            ]
        found.sort(key=lambda m: (m.start, m.start - m.end))
        kept: list[TermMatch] = []
        for match in found:
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        return kept
