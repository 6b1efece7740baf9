"""The HTTP API against its own OpenAPI schema with schemathesis: generated requests to
every operation, valid and invalid, with and without a key, and the reads of a stored
report. No request may get a server error, every answer must match what the schema
documents, and the schema must document the fields of every JSON answer."""

from __future__ import annotations

import atexit
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from sitreps.api import ServerSettings, create_app
from sitreps.store import Store

# schemathesis gives the generated test of every operation the same node id, and
# pytest-xdist runs tests by node id: `make test` runs this file in a process of its own.
pytestmark = pytest.mark.one_process

KEY = "schema-key-5b2e"
REPORT = (
    "Russian drones struck port infrastructure in Odesa overnight, the regional governor "
    "said; two people were injured."
)


# Built at import, as schemathesis needs the schema to generate the tests; the store is a
# real SQLite file in a temporary folder that is removed when the tests end.
_folder = tempfile.TemporaryDirectory(prefix="sitreps-schema-")
atexit.register(_folder.cleanup)
_settings = ServerSettings(api_keys=frozenset({KEY}), max_body_bytes=50_000, write_burst=1000)
app = create_app(Store.open(Path(_folder.name) / "schema.db"), _settings)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.auth()
class ApiKey:
    """The configured key, sent on the operations whose schema asks for one (the writes)."""

    def get(self, case: schemathesis.Case, context: Any) -> str:
        return KEY

    def set(self, case: schemathesis.Case, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "X-API-Key": data}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_generated_requests_get_documented_answers(case: schemathesis.Case) -> None:
    if case.method == "POST" and isinstance(case.body, dict) and not case.body.get("url"):
        case.body = {**case.body, "text": case.body.get("text") or REPORT}  # analyses run too
    # A report can be schema-valid and still refused with 422 (a URL that does not resolve,
    # a text that is all spaces): that is an answer, not a failure of the schema. Every
    # other check runs, the answer's conformance to its response schema among them.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


DOCUMENTED = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_reads_of_a_stored_report_answer_as_documented() -> None:
    # Generated ids name nothing stored; these are the answers with a report behind them.
    posted = schema["/reports"]["POST"].Case(body={"text": REPORT}, headers={"X-API-Key": KEY})
    report_id = posted.call().json()["reports"][0]["id"]
    incidents = schema["/incidents"]["GET"].Case().call_and_validate(checks=DOCUMENTED).json()
    odesa = {"search": "Odesa"}
    reads: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("/health", {}, {}),
        ("/reports/{report_id}", {"report_id": report_id}, {}),
        ("/reports/{report_id}/analysis", {"report_id": report_id}, {}),
        ("/incidents/{incident_id}", {"incident_id": incidents[0]["id"]}, {}),
        ("/events", {}, {**odesa, "coarsen_km": 10}),
        ("/events.geojson", {}, odesa),
        ("/export/events.geojson", {}, odesa),
        ("/export/acled.csv", {}, odesa),
    ]
    for path, path_parameters, query in reads:
        case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        answer = case.call_and_validate(checks=DOCUMENTED)
        assert answer.status_code == 200, path
        if path.endswith("geojson"):
            assert answer.json()["features"], f"{path}: no event to validate"
        elif path == "/events":
            assert answer.json()["items"], f"{path}: no event to validate"


def _json_media_type(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def test_every_json_answer_documents_its_fields() -> None:
    # An endpoint returning an untyped dict is documented as an object of any properties:
    # schemathesis would accept any answer from it.
    document = app.openapi()
    components = document["components"]["schemas"]

    def resolved(described: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in described:
            described = components[described["$ref"].rsplit("/", 1)[-1]]
        return described

    untyped = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                content = answer.get("content", {})
                if status.startswith("2") and not content:
                    untyped.append(f"{method.upper()} {path} {status}: no content")
                for media_type, described in content.items():
                    if not _json_media_type(media_type):
                        continue
                    top = resolved(described.get("schema", {}))
                    if top.get("type") == "array":
                        top = resolved(top.get("items", {}))
                    if not top.get("properties"):
                        untyped.append(f"{method.upper()} {path} {status} {media_type}")
    assert not untyped, "answers without a schema of their fields: " + ", ".join(untyped)


def test_writes_without_a_key_are_refused() -> None:
    operation = schema["/reports"]["POST"]
    case = operation.Case(body={"text": REPORT})
    assert case.call().status_code == 401
