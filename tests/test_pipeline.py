"""The pipeline's stage contracts: each stage, run on its declared inputs only (every other
field of the state blank), assigns what it assigned in the whole pipeline and changes nothing
it does not declare."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import pytest
from pydantic import BaseModel
from spacy.tokens import Doc

from sitreps import languages
from sitreps.inputs import InputError, ReportRecord
from sitreps.model import Analysis, Mode, Report, content_id
from sitreps.pipeline import STAGES, analyze, analyze_many, check_contracts
from sitreps.stages import places, segment
from sitreps.state import FIELDS, INPUTS, DocumentState
from tests.conftest import CORPUS, SEED

DATELINE = (
    "KYIV, 8 May 2024 — Russian forces struck Kharkiv overnight with three missiles, the "
    "regional governor said on Wednesday. Two people were killed."
)


def _reports() -> list[tuple[str, Report, Mode]]:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    # English and Ukrainian / Russian reports, a report with no publication date but a
    # dateline, the seed report in both modes
    chosen = [records[0], records[6], records[8], records[26], records[28]]
    reports = [
        (
            record["title"],
            Report(
                id=content_id(record["text"]),
                text=record["text"],
                title=record["title"],
                outlet=record["outlet"],
                published_at=datetime.fromisoformat(record["published_at"]),
                language=languages.detect(record["text"]),
            ),
            Mode.FULL,
        )
        for record in chosen
    ]
    for text, mode in ((DATELINE, Mode.FULL), (SEED.read_text(encoding="utf-8"), Mode.FAST)):
        report = Report(id=content_id(text), text=text, language="en")
        reports.append((f"{text[:30]} ({mode.value})", report, mode))
    return reports


REPORTS = _reports()


def _get(state: DocumentState, name: str) -> Any:
    owner, _, field = name.rpartition(".")
    return getattr(state.analysis if owner else state, field)


def _set(state: DocumentState, name: str, value: Any) -> None:
    owner, _, field = name.rpartition(".")
    setattr(state.analysis if owner else state, field, value)


def _comparable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Doc):
        return value.to_json(), sorted(map(str, value.user_data.items()))
    if isinstance(value, dict):
        # an index's entry that is an object of the analysis ("token -> claim") is compared
        # by its id: the object itself is compared where its list is
        return {key: getattr(item, "id", None) or _comparable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value


def _with_only(state: DocumentState, kept: frozenset[str]) -> DocumentState:
    """A copy of the state whose fields outside `kept` are blank; the parse and the
    resources are shared."""
    copied = copy.deepcopy(state, {id(state.doc): state.doc, id(state.resources): state.resources})
    blank = DocumentState(analysis=Analysis(report=copied.analysis.report))
    for name in FIELDS - kept:
        _set(copied, name, copy.deepcopy(_get(blank, name)))
    return copied


@pytest.mark.parametrize("title, report, mode", REPORTS, ids=[r[0][:40] for r in REPORTS])
def test_each_stage_reads_and_writes_only_what_it_declares(
    title: str, report: Report, mode: Mode
) -> None:
    # a copy: the dates stage may write the publication date into the report
    state = DocumentState(analysis=Analysis(mode=mode, report=report.model_copy(deep=True)))
    for stage in STAGES:
        alone = _with_only(state, stage.requires | INPUTS)
        untouched = {name: _comparable(_get(alone, name)) for name in FIELDS}
        stage(state)
        stage(alone)
        for name in sorted(FIELDS):
            if name in stage.assigns:
                assert _comparable(_get(alone, name)) == _comparable(_get(state, name)), (
                    f"{stage.name} assigns {name} differently given its declared inputs only: "
                    "it reads something it does not declare"
                )
            else:
                assert _comparable(_get(alone, name)) == untouched[name], (
                    f"{stage.name} changed {name}, which it does not declare it assigns"
                )
    # the reports take every stage somewhere: each titled one in full mode tells of an event
    assert state.analysis.events or mode is Mode.FAST or not report.title


def test_a_stage_before_what_it_requires_is_refused() -> None:
    with pytest.raises(ValueError, match="places requires"):
        check_contracts((places.run, segment.run))


def test_a_batch_reads_as_its_reports_one_by_one() -> None:
    records = [ReportRecord.model_validate_json(line) for line in CORPUS.read_text().splitlines()]
    records.insert(3, ReportRecord(text="   "))  # refused, and the batch goes on
    results = list(analyze_many(records))
    refused = results.pop(3)
    assert isinstance(refused, InputError)
    del records[3]
    assert [r.model_dump() for r in results] == [  # type: ignore[union-attr]
        analyze(**record.model_dump()).model_dump() for record in records
    ]
