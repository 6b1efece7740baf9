"""Incidents with their corroboration, each claim with the chain of sources it comes
through, and an incident's evidence with the reports it cites."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from sitreps.api.dependencies import StoreDep
from sitreps.api.models import NOT_FOUND, Incident, IncidentDetail, ReportCited
from sitreps.corroboration import Status
from sitreps.model import Analysis
from sitreps.store import Store

router = APIRouter(tags=["incidents"])


def _attribute(store: Store, incident: dict[str, Any]) -> dict[str, Any]:
    """Give each claim of a stored incident its attribution chain, and the incident the
    kinds of source its claims rest on."""
    analyses: dict[str, Analysis | None] = {}
    kinds: set[str] = set()
    for claim in incident["evidence"]["claims"]:
        report_id = claim["report_id"]
        if report_id not in analyses:
            analyses[report_id] = store.analysis(report_id)
        analysis = analyses[report_id]
        claims = {c.id: c for c in analysis.claims} if analysis else {}
        stated = claims.get(claim["claim_id"])
        if analysis is None or stated is None:
            continue
        chain = [analysis.source(source_id) for source_id in stated.attribution]
        claim["attribution"] = [
            {"name": s.name, "kind": s.kind.value, "descriptor": s.descriptor} for s in chain
        ]
        kinds |= {s.kind.value for s in chain}
    incident["source_kinds"] = sorted(kinds)
    return incident


@router.get("/incidents", summary="Incidents with their corroboration")
def get_incidents(
    store: StoreDep,
    status: Annotated[Status | None, Query()] = None,
) -> list[Incident]:
    return [
        Incident.model_validate(_attribute(store, found))
        for found in store.incidents(status.value if status else None)
    ]


@router.get(
    "/incidents/{incident_id}",
    summary="An incident with its evidence: reports, claims, independent voices, contradictions",
    responses=NOT_FOUND,
)
def get_incident(incident_id: str, store: StoreDep) -> IncidentDetail:
    found = store.incident(incident_id)
    if found is None:
        raise HTTPException(404, f"no incident {incident_id}")
    evidence = _attribute(store, found)["evidence"]
    report_ids = sorted(
        {r for voice in evidence["voices"] for r in voice["reports"]}
        | {c["report_id"] for c in evidence["claims"]}
    )
    found["reports"] = [
        {field: report[field] for field in ReportCited.model_fields}
        for report_id in report_ids
        if (report := store.report(report_id)) is not None
    ]
    return IncidentDetail.model_validate(found)
