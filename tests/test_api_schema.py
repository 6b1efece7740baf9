"""The HTTP API against its own OpenAPI schema with schemathesis: generated requests to
every operation, valid and invalid, with and without a key. No request may get a server
error, and every answer must match what the schema documents."""

from __future__ import annotations

import atexit
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sitreps.api import ServerSettings, create_app
from sitreps.store import Store

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
def test_no_request_gets_a_server_error(case: schemathesis.Case) -> None:
    if case.method == "POST" and isinstance(case.body, dict) and not case.body.get("url"):
        case.body = {**case.body, "text": case.body.get("text") or REPORT}  # analyses run too
    # A report can be schema-valid and still refused with 422 (a URL that does not resolve,
    # a text that is all spaces): that is an answer, not a failure of the schema.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_writes_without_a_key_are_refused() -> None:
    operation = schema["/reports"]["POST"]
    case = operation.Case(body={"text": REPORT})
    assert case.call().status_code == 401
