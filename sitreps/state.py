"""The document state that flows through the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from sitreps.model import Analysis, AnalysisWarning, Claim, Quantity, Span


@dataclass
class DocumentState:
    """The analysis being built, plus what stages hand on to later stages.

    `doc` is the spaCy parse; `quantities` maps the token index of a counted noun to its
    quantity ("eight separate strikes" -> the index of "strikes"); `place_tokens` maps each
    token inside a place mention to that place's id, `source_tokens` each token of a source's
    name to the source id, and `claim_tokens` each claim id to the tokens of its content.
    """

    analysis: Analysis
    doc: Doc | None = None
    quantities: dict[int, Quantity] = field(default_factory=dict)
    place_tokens: dict[int, str] = field(default_factory=dict)
    source_tokens: dict[int, str] = field(default_factory=dict)
    claim_tokens: dict[str, set[int]] = field(default_factory=dict)

    @property
    def parsed(self) -> Doc:
        if self.doc is None:
            raise RuntimeError("the segment stage must run before this stage")
        return self.doc

    @property
    def text(self) -> str:
        return self.analysis.report.text

    def warn(self, code: str, message: str) -> None:
        self.analysis.warnings.append(AnalysisWarning(code=code, message=message))

    def claims_by_token(self) -> dict[int, Claim]:
        """The first claim each token belongs to, for stages that look claims up by token:
        one lookup each, where a long report has thousands of claims."""
        found: dict[int, Claim] = {}
        for claim in self.analysis.claims:
            for token in self.claim_tokens[claim.id]:
                found.setdefault(token, claim)
        return found


def span_of(tokens: TokenSpan) -> Span:
    return Span(start=tokens.start_char, end=tokens.end_char, text=tokens.text)


def char_span(text: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=text[start:end])
