"""Stage 1: tokens, sentences and named entities from spaCy.

spaCy's memory grows with the text it parses at once, so a long text is parsed a piece at a
time, each piece cut after a line break (failing that, a space), and the pieces are joined
into one Doc with the same text and offsets.
"""

from __future__ import annotations

from spacy.tokens import Doc

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
    pieces = _pieces(state.text)
    language.max_length = max(language.max_length, max(map(len, pieces)) + 1)
    if len(pieces) == 1:
        state.doc = language(state.text)
    else:
        docs = list(language.pipe(pieces, batch_size=1))
        state.doc = Doc.from_docs(docs, ensure_whitespace=False)
    state.analysis.sentences = [
        Sentence(index=index, start=sentence.start_char, end=sentence.end_char)
        for index, sentence in enumerate(state.doc.sents)
    ]


PIECE_CHARS = 20_000


def _pieces(text: str) -> list[str]:
    """The text cut into pieces of at most PIECE_CHARS, each ending after a line break (or a
    space) where there is one in its second half; joined, they are the text."""
    pieces, start = [], 0
    while len(text) - start > PIECE_CHARS:
        end = start + PIECE_CHARS
        cut = text.rfind("\n", start + PIECE_CHARS // 2, end)
        if cut == -1:
            cut = text.rfind(" ", start + PIECE_CHARS // 2, end)
        cut = end if cut == -1 else cut + 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces
