"""Stage 1: tokens, sentences and named entities from spaCy."""

from __future__ import annotations

from sitreps import nlp
from sitreps.model import Sentence
from sitreps.state import DocumentState


def run(state: DocumentState) -> None:
    language = nlp.load()
    if state.analysis.report.language != "en":
        state.warn(
            "unsupported_language",
            f"language {state.analysis.report.language!r} is analysed with the English "
            "pipeline; expect poor results",
        )
    language.max_length = max(language.max_length, len(state.text) + 1)
    state.doc = language(state.text)
    state.analysis.sentences = [
        Sentence(index=index, start=sentence.start_char, end=sentence.end_char)
        for index, sentence in enumerate(state.doc.sents)
    ]
