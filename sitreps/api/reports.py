"""Reports in (`ingest`, behind the write key and the write limit) and out (`reports`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response

from sitreps.api.dependencies import StoreDep, limit_writes, require_write_key
from sitreps.api.models import (
    NOT_FOUND,
    IngestResult,
    Refused,
    ReportIn,
    ReportVersion,
    StoredReport,
    problem,
)
from sitreps.ingest import Document, documents, ingest
from sitreps.inputs import ReportRecord
from sitreps.model import Analysis
from sitreps.store import Outcome

writes = APIRouter(tags=["reports"])
reads = APIRouter(tags=["reports"])


@writes.post(
    "/reports",
    summary="Analyse and store a report",
    dependencies=[Depends(limit_writes), Depends(require_write_key)],
    responses={
        200: {"description": "Already stored"},
        201: {"description": "Stored", "model": IngestResult},
        400: problem("The body could not be parsed as JSON"),
        401: problem("No valid API key was sent"),
        403: problem("Writes are disabled: no API key is configured"),
        413: problem("The request body is over the size limit"),
        422: problem("Nothing could be stored; the reasons"),
        429: problem("Too many writes; see Retry-After"),
    },
)
def post_report(report: ReportIn, response: Response, store: StoreDep) -> IngestResult:
    if report.text is None:
        found = documents([str(report.url)])
    else:
        record = ReportRecord(
            text=report.text,
            title=report.title,
            outlet=report.outlet,
            url=str(report.url) if report.url else None,
            published_at=report.published_at,
            language=report.language,
        )
        found = iter([Document(record, "POST /reports", record.url)])
    summary = ingest(store, found)
    refused = [Refused(where=f.where, reason=f.reason) for f in summary.failures]
    if not summary.stored:
        raise HTTPException(422, [r.model_dump() for r in refused] or "nothing to store")
    stored = [
        StoredReport(
            id=s.report_id,
            outcome=s.outcome,
            origin=s.origin,
            analysis=f"/reports/{s.report_id}/analysis",
        )
        for s in summary.stored
    ]
    changed = any(s.outcome is not Outcome.UNCHANGED for s in stored)
    response.status_code = 201 if changed else 200
    return IngestResult(reports=stored, refused=refused)


@reads.get("/reports/{report_id}", summary="A stored report", responses=NOT_FOUND)
def get_report(report_id: str, store: StoreDep) -> ReportVersion:
    found = store.report(report_id)
    if found is None:
        raise HTTPException(404, f"no report {report_id}")
    return ReportVersion.model_validate(found)


@reads.get(
    "/reports/{report_id}/analysis",
    summary="A report's analysis: claims, sources, places, events",
    responses=NOT_FOUND,
)
def get_analysis(report_id: str, store: StoreDep) -> Analysis:
    found = store.analysis(report_id)
    if found is None:
        raise HTTPException(404, f"no report {report_id}")
    return found
