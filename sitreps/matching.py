"""Matching lexicon terms in a parsed document: single words by lemma, phrases as written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
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


class LabelledTerms:
    """Terms under labels (a lexicon each: "events.trigger", "certainty.hedged"), all found in
    one pass over a document: single words by lemma or as written, phrases as written or by
    lemma ("command post" finds "command posts"). Within a label, longer matches win where
    matches overlap; labels do not compete."""

    def __init__(self, language: Language, terms: Mapping[str, Iterable[str]]) -> None:
        self.labels = tuple(terms)
        word_labels: dict[int, set[str]] = defaultdict(set)
        phrase_labels: dict[str, set[str]] = defaultdict(set)
        for label, written in terms.items():
            for term in {t.strip().lower() for t in written if t.strip()}:
                if " " in term or "-" in term:
                    phrase_labels[term].add(label)
                else:
                    word_labels[language.vocab.strings.add(term)].add(label)
        self._word_labels = {word: tuple(labels) for word, labels in word_labels.items()}
        # Words are compared as string hashes, all tokens at once: a Python loop over the
        # tokens, once per lexicon, cost more than the rest of the matching.
        self._word_hashes = np.array(sorted(self._word_labels), dtype=np.uint64)
        self._matchers = [PhraseMatcher(language.vocab, attr=a) for a in ("LOWER", "LEMMA")]
        phrases = sorted(phrase_labels)
        for phrase, parsed in zip(phrases, language.pipe(phrases), strict=True):
            for label in phrase_labels[phrase]:
                key = f"{label}{_KEY_SEPARATOR}{phrase}"
                self._matchers[0].add(key, [language.make_doc(phrase)])
                self._matchers[1].add(key, [parsed])

    def find(self, doc: Doc) -> dict[str, list[TermMatch]]:
        """Each label's matches, sorted by start."""
        found: dict[str, list[TermMatch]] = {label: [] for label in self.labels}
        for matcher in self._matchers:
            for match_id, start, end in matcher(doc):
                label, term = doc.vocab.strings[match_id].split(_KEY_SEPARATOR)
                found[label].append(TermMatch(start, end, term))
        # Lemmas are lower case but for proper nouns, whose lemma is the word as written.
        if len(doc):
            written = doc.to_array([LOWER, LEMMA])
            for i in np.flatnonzero(np.isin(written, self._word_hashes).any(axis=1)):
                token = int(i)
                labels = {
                    label
                    for word in written[token].tolist()
                    for label in self._word_labels.get(word, ())
                }
                for label in labels:
                    found[label].append(TermMatch(token, token + 1, doc[token].lower_))
        return {label: _longest_first(matches) for label, matches in found.items()}


_KEY_SEPARATOR = "\x1f"


def _longest_first(found: list[TermMatch]) -> list[TermMatch]:
    """The matches sorted by start, a longer one kept where two overlap."""
    found.sort(key=lambda m: (m.start, m.start - m.end, m.term))
    kept: list[TermMatch] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept
