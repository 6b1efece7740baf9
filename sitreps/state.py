"""The document state that flows through the pipeline stages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from sitreps.matching import TermMatch
from sitreps.model import Analysis, AnalysisWarning, Claim, Quantity, Span, TextPart
from sitreps.resources import Resources
from sitreps.resources import shared as shared_resources

# The parsed text is the title, a blank line, then the report text: the headline often
# names the event, its place and its attacker, and is read with the text that follows it.
TITLE_KEY = "sitreps_title"  # Doc.user_data: the title as written, when it was parsed
LANGUAGE_KEY = "sitreps_language"  # Doc.user_data: the report's language, where not English
TEXT_KEY = "sitreps_text"  # Doc.user_data: the text parsed, kept once (see `parsed_text`)
TITLE_SEPARATOR = "\n\n"


@dataclass
class DocumentState:
    """The analysis being built, plus the indexes stages hand on to later stages, each built
    once by the stage that assigns it (see `Stage`).

    `resources` are the models, lexicons and tables the stages read (no part of any
    contract: no stage changes them); `doc` is the spaCy parse; `term_matches` holds each
    lexicon's terms found in it, by label ("events.trigger"); `quantities` maps the token
    index of a counted noun to its quantity ("eight separate strikes" -> the index of
    "strikes"); `place_tokens` maps each token inside a place mention to that place's id,
    `source_tokens` each token of a source's name to the source id, `claim_tokens` each claim
    id to the tokens of its content and `claim_at_token` each token to the first claim whose
    content holds it; `event_sentences` maps each event id to the indices of the sentences it
    was read from.
    """

    analysis: Analysis
    resources: Resources = field(default_factory=shared_resources)
    doc: Doc | None = None
    term_matches: dict[str, list[TermMatch]] = field(default_factory=dict)
    quantities: dict[int, Quantity] = field(default_factory=dict)
    place_tokens: dict[int, str] = field(default_factory=dict)
    source_tokens: dict[int, str] = field(default_factory=dict)
    claim_tokens: dict[str, set[int]] = field(default_factory=dict)
    claim_at_token: dict[int, Claim] = field(default_factory=dict)
    event_sentences: dict[str, list[int]] = field(default_factory=dict)

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


# What a stage may name in its contract: the state's own fields, and the analysis' fields as
# "analysis.<field>". The report and the mode are the pipeline's input.
FIELDS = frozenset(
    [f.name for f in fields(DocumentState) if f.name not in {"analysis", "resources"}]
    + [f"analysis.{name}" for name in Analysis.model_fields]
)
INPUTS = frozenset({"analysis.report", "analysis.mode"})


@dataclass(frozen=True)
class Stage:
    """A pipeline stage with its contract, as spaCy components declare theirs: the fields it
    reads (`requires`) and the fields it writes or changes (`assigns`). The pipeline checks
    that an earlier stage assigns what each stage requires; a test runs each stage with its
    declared inputs only. `pipe` runs it on many documents; a `batched` stage does them
    together (as the parse does), the others one after another."""

    name: str
    pipe: Callable[[list[DocumentState]], None]
    requires: frozenset[str]
    assigns: frozenset[str]
    batched: bool

    def __call__(self, state: DocumentState) -> None:
        self.pipe([state])


def stage(
    *, requires: Iterable[str], assigns: Iterable[str]
) -> Callable[[Callable[[DocumentState], None]], Stage]:
    """Declare a module's `run(state)` function a stage with its contract."""

    def declared(run: Callable[[DocumentState], None]) -> Stage:
        def pipe(states: list[DocumentState]) -> None:
            for state in states:
                run(state)

        return _checked(Stage(_name(run), pipe, frozenset(requires), frozenset(assigns), False))

    return declared


def batched_stage(
    *, requires: Iterable[str], assigns: Iterable[str]
) -> Callable[[Callable[[list[DocumentState]], None]], Stage]:
    """Declare a module's `pipe(states)` function a stage that does documents together."""

    def declared(pipe: Callable[[list[DocumentState]], None]) -> Stage:
        return _checked(Stage(_name(pipe), pipe, frozenset(requires), frozenset(assigns), True))

    return declared


def _name(function: Callable[..., None]) -> str:
    return function.__module__.rsplit(".", 1)[-1]


def _checked(contract: Stage) -> Stage:
    unknown = (contract.requires | contract.assigns) - FIELDS
    if unknown:
        raise ValueError(f"stage {contract.name}: no such field {sorted(unknown)}")
    return contract


def language_of(doc: Doc) -> str:
    return str(doc.user_data.get(LANGUAGE_KEY, "en"))


def body_start(doc: Doc) -> int:
    """Where the report text begins in the parsed text: after the title, if one was parsed."""
    title = doc.user_data.get(TITLE_KEY)
    return 0 if title is None else len(title) + len(TITLE_SEPARATOR)


def parsed_text(doc: Doc) -> str:
    """The text a Doc was parsed from: `Doc.text` joins every token of the document at each
    call, so the segment stage keeps it."""
    kept = doc.user_data.get(TEXT_KEY)
    return kept if isinstance(kept, str) else doc.text


def text_span(doc: Doc, start: int, end: int) -> Span:
    """Characters of the parsed text as a span of the report: offsets into the text, or into
    the title as written (its parse may have changed the case of some words)."""
    body = body_start(doc)
    if start >= body:
        return Span(start=start - body, end=end - body, text=parsed_text(doc)[start:end])
    title: str = doc.user_data[TITLE_KEY]
    end = min(end, len(title))
    return Span(start=start, end=end, text=title[start:end], part=TextPart.TITLE)


def span_of(tokens: TokenSpan) -> Span:
    if tokens.start_char >= body_start(tokens.doc):
        # The tokens' own text: `Doc.text` joins every token of the document at each call.
        body = body_start(tokens.doc)
        return Span(start=tokens.start_char - body, end=tokens.end_char - body, text=tokens.text)
    return text_span(tokens.doc, tokens.start_char, tokens.end_char)


def tokens_of(doc: Doc, span: Span) -> TokenSpan | None:
    """The tokens of a span of the report, in the parsed text."""
    offset = 0 if span.part is TextPart.TITLE else body_start(doc)
    return doc.char_span(offset + span.start, offset + span.end, alignment_mode="expand")
