"""The analysis pipeline: an explicit, ordered list of stages, read top to bottom.

Each stage is a module with one job and a `run(state)` function that reads the shared
`DocumentState` and adds to it, declared with the fields it requires and assigns
(`sitreps.state.stage`); the order below is checked against those contracts on import.
Storage, API, CLI and dashboard import this module; it imports none of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from sitreps import languages
from sitreps.inputs import MAX_CHARS, ReportRecord, check_text
from sitreps.model import Analysis, Mode, Report, content_id
from sitreps.resources import Resources
from sitreps.resources import shared as shared_resources
from sitreps.stages import (
    attribution,
    certainty,
    claim_kinds,
    dates,
    events,
    loaded_language,
    places,
    quantities,
    segment,
    terms,
)
from sitreps.state import INPUTS, DocumentState, Stage

STAGES: tuple[Stage, ...] = (
    segment.run,  # tokens, sentences, tags, parse, entities: spaCy, or rules in fast mode
    terms.run,  # every lexicon's terms, found in one pass
    places.run,  # gazetteer matching and ranking of place mentions
    quantities.run,  # number words and vague quantities tied to the noun they count
    attribution.run,  # sources, claims and who asserts each claim
    certainty.run,  # how firmly each claim is made, with its cue spans
    loaded_language.run,  # emotive and evaluative wording in each claim
    claim_kinds.run,  # what each claim is about: occurrence, damage, casualties, ...
    events.run,  # ACLED-coded events with actors, counts, targets and places
    dates.run,  # event dates from the publication date and time cues
)


def check_contracts(stages: tuple[Stage, ...]) -> None:
    """Each stage's requirements are the pipeline's input or assigned by an earlier stage."""
    available = set(INPUTS)
    for stage in stages:
        missing = stage.requires - available
        if missing:
            raise ValueError(
                f"stage {stage.name} requires {sorted(missing)}, which no stage before it assigns"
            )
        available |= stage.assigns


check_contracts(STAGES)


# Reports parsed together by `analyze_many`. In `sitreps bench` (200 GeoWebNews texts) 4, 8
# and 16 took the same time within the noise, and the peak memory grew with the batch: 996,
# 1,024 and 1,102 MB.
BATCH = 4


def analyze(
    text: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    language: str | None = None,
    max_chars: int = MAX_CHARS,
    mode: Mode = Mode.FULL,
    resources: Resources | None = None,
) -> Analysis:
    """Analyse one report: its claims, sources, places and events. Fast mode reads English
    with rules instead of spaCy's statistical models (see sitreps/surface.py). `language`:
    an ISO 639-1 code; detected from the text when not given. `resources`: the models and
    lexicons to read it with; the process's own where not given."""
    record = {"title": title, "outlet": outlet, "url": url, "published_at": published_at}
    state = _state(text, language, record, max_chars, mode, resources or shared_resources())
    for stage in STAGES:
        stage(state)
    return state.analysis


def analyze_many(
    records: Iterable[ReportRecord],
    *,
    max_chars: int = MAX_CHARS,
    mode: Mode = Mode.FULL,
    resources: Resources | None = None,
    timings: dict[str, float] | None = None,
) -> Iterator[Analysis | Exception]:
    """Analyse reports in order, BATCH at a time (the English texts of a batch are parsed
    together): each one's analysis, or the error that refused it (`InputError`) or broke its
    analysis. One report's failure never stops the others. `timings`: where given, the
    seconds each stage takes are added to it under the stage's name."""
    chosen = resources or shared_resources()
    found = iter(records)
    while batch := list(islice(found, BATCH)):
        results: list[DocumentState | Exception] = []
        for record in batch:
            try:
                known = record.model_dump(exclude={"text", "language"})
                results.append(_state(record.text, record.language, known, max_chars, mode, chosen))
            except Exception as error:  # refused (InputError), or a bug on this one
                results.append(error)
        failed = _run([r for r in results if isinstance(r, DocumentState)], timings)
        for result in results:
            if isinstance(result, DocumentState):
                yield failed.get(id(result), result.analysis)
            else:
                yield result


def _state(
    text: str,
    language: str | None,
    known: dict[str, Any],
    max_chars: int,
    mode: Mode,
    resources: Resources,
) -> DocumentState:
    """A report's state before the first stage; `known`: its title, outlet, URL and
    publication time."""
    checked = check_text(text, max_chars=max_chars)
    report = Report(
        id=content_id(checked.text),
        text=checked.text,
        language=language or languages.detect(checked.text),
        **known,
    )
    analysis = Analysis(mode=mode, report=report, warnings=checked.warnings)
    return DocumentState(analysis=analysis, resources=resources)


def _run(states: list[DocumentState], timings: dict[str, float] | None) -> dict[int, Exception]:
    """Every stage over the states; the error of each state that failed, by its id."""
    failed: dict[int, Exception] = {}
    for stage in STAGES:
        started = time.perf_counter()
        _run_stage(stage, [state for state in states if id(state) not in failed], failed)
        if timings is not None:
            timings[stage.name] = timings.get(stage.name, 0.0) + time.perf_counter() - started
    return failed


def _run_stage(stage: Stage, states: list[DocumentState], failed: dict[int, Exception]) -> None:
    """One stage over the states; a state it fails on goes into `failed`."""
    if stage.batched:
        warned = [len(state.analysis.warnings) for state in states]
        try:
            stage.pipe(states)
            return
        except Exception:  # one report broke the batch: each alone, to find which
            for state, count in zip(states, warned, strict=True):
                del state.analysis.warnings[count:]
    for state in states:
        try:
            stage(state)
        except Exception as error:  # a bug on one report must not lose the others
            failed[id(state)] = error
