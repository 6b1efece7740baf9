"""The HTTP API through HTTP: FastAPI's test client (httpx) on a real SQLite store, and
`sitreps serve` as a user starts it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sitreps.acled import COLUMNS as ACLED_COLUMNS
from sitreps.api import ServerSettings, SettingsError, create_app
from sitreps.store import Store
from tests.serving import served

KEY = "test-key-7f3a"
WRITE = {"X-API-Key": KEY}
KHARKIV = {
    "text": "A Russian missile hit an apartment block in Kharkiv overnight, killing three "
    "people, regional governor Oleh Syniehubov said.",
    "title": "Missile hits Kharkiv",
    "outlet": "Kyiv Desk",
    "url": "https://example.org/kharkiv",
    "published_at": "2026-11-24T08:00:00Z",
}
ODESA = {
    "text": "Russian drones struck port infrastructure in Odesa during the night, the head of "
    "the regional military administration said. <script>alert(1)</script>",
    "outlet": "Northwind Wire",
    "published_at": "2026-11-24T09:00:00Z",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = Store.open(tmp_path_factory.mktemp("api") / "api.db")
    settings = ServerSettings(api_keys=frozenset({KEY}), max_body_bytes=20_000, writes_per_minute=0)
    with TestClient(create_app(store, settings)) as test_client:
        for report in (KHARKIV, ODESA):
            assert test_client.post("/reports", json=report, headers=WRITE).status_code == 201
        yield test_client
    store.close()


def test_health_is_open(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["counts"]["reports"] == 2


def test_writes_need_a_valid_key(client: TestClient) -> None:
    assert client.post("/reports", json=KHARKIV).status_code == 401
    assert client.post("/reports", json=KHARKIV, headers={"X-API-Key": "wrong"}).status_code == 401
    again = client.post("/reports", json=KHARKIV, headers={"Authorization": f"Bearer {KEY}"})
    assert again.status_code == 200  # stored already: nothing changes
    assert again.json()["reports"][0]["outcome"] == "unchanged"


def test_without_configured_keys_writes_are_disabled(tmp_path: Path) -> None:
    with TestClient(create_app(Store.open(tmp_path / "x.db"), ServerSettings())) as bare:
        refused = bare.post("/reports", json=KHARKIV, headers=WRITE)
        assert refused.status_code == 403 and "no API key" in refused.json()["detail"]


def test_bad_requests_get_a_clear_4xx(client: TestClient) -> None:
    missing = client.post("/reports", json={"title": "no text"}, headers=WRITE)
    assert missing.status_code == 422 and "text" in str(missing.json()["detail"])
    empty = client.post("/reports", json={"text": "   "}, headers=WRITE)
    assert empty.status_code == 422 and "empty" in str(empty.json()["detail"])
    assert client.get("/events", params={"bbox": "1,2,3"}).status_code == 422
    assert client.get("/events", params={"status": "true"}).status_code == 422
    assert client.get("/events", params={"limit": 0}).status_code == 422
    assert client.get("/reports/nope").status_code == 404
    assert client.get("/incidents/nope").status_code == 404


def test_request_bodies_are_size_limited(client: TestClient) -> None:
    huge = {"text": "Shelling hit Nikopol. " * 2_000}
    assert client.post("/reports", json=huge, headers=WRITE).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit still holds
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 1_000
        yield b'"}'

    streamed = client.post(
        "/reports", content=chunks(), headers={**WRITE, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_a_url_is_fetched_with_the_ingest_guards(client: TestClient) -> None:
    private = client.post("/reports", json={"url": "http://127.0.0.1:9/report"}, headers=WRITE)
    assert private.status_code == 422
    assert "private" in str(private.json()["detail"]).lower()


def test_reports_and_their_analysis(client: TestClient) -> None:
    (stored,) = client.post("/reports", json=ODESA, headers=WRITE).json()["reports"]
    report = client.get(f"/reports/{stored['id']}").json()
    assert report["text"] == ODESA["text"]  # stored as sent, script and all: it is data
    analysis = client.get(stored["analysis"]).json()
    assert analysis["report"]["id"] == stored["id"]
    assert analysis["events"] and analysis["events"][0]["sub_event_type"] == "Air/drone strike"


def test_events_are_filtered_and_paginated(client: TestClient) -> None:
    everything = client.get("/events").json()
    assert everything["next_offset"] is None and len(everything["items"]) == 2
    first = client.get("/events", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_offset"] == 1
    second = client.get("/events", params={"limit": 1, "offset": 1}).json()
    assert second["items"][0]["event_id_cnty"] != first["items"][0]["event_id_cnty"]
    kharkiv = client.get("/events", params={"bbox": "36.0,49.8,36.5,50.1"}).json()["items"]
    assert [e["location"] for e in kharkiv] == ["Kharkiv"]
    assert kharkiv[0]["fatalities"] == 3
    geojson = client.get("/events.geojson", params={"event_type": "Explosions/Remote violence"})
    assert geojson.headers["content-type"].startswith("application/geo+json")
    assert len(geojson.json()["features"]) == 2
    assert [e["location"] for e in client.get("/events", params={"search": "kharkiv"}).json()[
        "items"]] == ["Kharkiv"]  # fmt: skip
    coarse = client.get("/events", params={"search": "kharkiv", "coarsen_km": 50}).json()
    assert coarse["items"][0]["latitude"] != kharkiv[0]["latitude"]
    assert "coordinates coarsened to 50 km" in coarse["items"][0]["tags"]
    assert client.get("/events", params={"source_kind": "a verdict"}).status_code == 422


def test_incidents_come_with_their_evidence(client: TestClient) -> None:
    incidents = client.get("/incidents").json()
    assert incidents and all(i["status"] == "single-source" for i in incidents)
    detail = client.get(f"/incidents/{incidents[0]['id']}").json()
    assert {"voices", "claims", "contradictions"} <= set(detail["evidence"])
    assert detail["reports"] and detail["reports"][0]["outlet"] in {"Kyiv Desk", "Northwind Wire"}
    assert client.get("/incidents", params={"status": "contested"}).json() == []


def test_acled_csv_export(client: TestClient) -> None:
    response = client.get("/export/acled.csv")
    assert response.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.text)))
    assert tuple(header[: len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    # The exports take /events' filters and are not paged.
    kharkiv = client.get("/export/acled.csv", params={"search": "kharkiv", "limit": 1})
    assert [row["location"] for row in csv.DictReader(io.StringIO(kharkiv.text))] == ["Kharkiv"]
    features = client.get("/export/events.geojson").json()["features"]
    assert len(features) == len(client.get("/events").json()["items"])


def test_reads_can_require_a_key(tmp_path: Path) -> None:
    settings = ServerSettings(api_keys=frozenset({KEY}), read_requires_key=True)
    with TestClient(create_app(Store.open(tmp_path / "closed.db"), settings)) as closed:
        assert closed.get("/events").status_code == 401
        assert closed.get("/events", headers=WRITE).status_code == 200


def test_settings_from_the_config_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "server.yaml"
    config.write_text("api_keys: [alpha, beta]\nread_requires_key: true\n")
    monkeypatch.setenv("SITREPS_SERVER_CONFIG", str(config))
    monkeypatch.delenv("SITREPS_API_KEYS", raising=False)
    monkeypatch.delenv("SITREPS_READ_REQUIRES_KEY", raising=False)
    settings = ServerSettings.from_environment()
    assert settings.api_keys == {"alpha", "beta"} and settings.read_requires_key
    monkeypatch.setenv("SITREPS_API_KEYS", "gamma, ")
    assert ServerSettings.from_environment().api_keys == {"gamma"}
    config.write_text("- not a mapping\n")
    with pytest.raises(SettingsError, match="mapping"):
        ServerSettings.from_environment()


def test_every_setting_has_a_variable_and_a_wrong_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "server.yaml"
    config.write_text("writes_per_minute: 30\ncors_origins: [https://a.example]\n")
    monkeypatch.setenv("SITREPS_SERVER_CONFIG", str(config))
    monkeypatch.setenv("SITREPS_WRITES_PER_MINUTE", "6")
    monkeypatch.setenv("SITREPS_CORS_ORIGINS", "https://b.example,https://c.example")
    settings = ServerSettings.from_environment()
    assert settings.writes_per_minute == 6
    assert settings.cors_origins == ("https://b.example", "https://c.example")
    config.write_text("read_requires_keys: true\n")  # a typo that would leave reads open
    with pytest.raises(SettingsError, match="read_requires_keys"):
        ServerSettings.from_environment()
    config.write_text("")
    monkeypatch.setenv("SITREPS_WRITE_BURST", KEY)  # a key in the wrong place is not shown
    with pytest.raises(SettingsError, match="write_burst") as refused:
        ServerSettings.from_environment()
    assert KEY not in str(refused.value)


def test_the_openapi_document_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/reports", "/reports/{report_id}/analysis", "/events", "/events.geojson",
                 "/incidents/{incident_id}", "/export/acled.csv", "/health"):  # fmt: skip
        assert path in paths


def test_sitreps_serve_answers_over_http(tmp_path: Path) -> None:
    with served(tmp_path / "served.db", KEY) as url:
        assert httpx.get(f"{url}/health").json()["status"] == "ok"
        assert httpx.post(f"{url}/reports", json=KHARKIV).status_code == 401
        assert "text/html" in httpx.get(url).headers["content-type"]


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get("/health"),
        client.get("/events"),
        client.get("/reports/nothing"),
        client.get("/static/app.js"),
        client.get("/"),
        client.post("/reports", content=b"x" * 30_000, headers=WRITE),  # 413
    ]
    for response in responses:
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"], response.url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
    assert [r.status_code for r in responses] == [200, 200, 404, 200, 200, 413]


def test_the_api_docs_are_served_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/vendor/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text and "<script>" not in page.text  # no CDN, no inline script
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


def test_writes_are_rate_limited_per_client(tmp_path: Path) -> None:
    settings = ServerSettings(api_keys=frozenset({KEY}), writes_per_minute=6, write_burst=2)
    with TestClient(create_app(Store.open(tmp_path / "limited.db"), settings)) as limited:
        answers = [limited.post("/reports", json={}, headers=WRITE) for _ in range(3)]
        assert [a.status_code for a in answers] == [422, 422, 429]
        assert answers[2].headers["retry-after"] == "10"  # one write per 10 s at 6 a minute
        unkeyed = limited.post("/reports", json={})  # key guessing is limited too
        assert unkeyed.status_code == 429
        assert limited.get("/events").status_code == 200  # reads are not limited


def test_cross_origin_requests_get_no_cors_headers_by_default(
    client: TestClient, tmp_path: Path
) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in client.get("/events", headers=origin).headers
    preflight = client.options(
        "/reports", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    settings = ServerSettings(cors_origins=("https://partner.example",))
    with TestClient(create_app(Store.open(tmp_path / "cors.db"), settings)) as shared:
        allowed = shared.get("/events", headers={"Origin": "https://partner.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://partner.example"
        other = shared.get("/events", headers=origin)
        assert "access-control-allow-origin" not in other.headers


def test_only_the_exact_key_opens_writes(client: TestClient) -> None:
    for wrong in (KEY[:-1], KEY + "0", KEY.upper(), "", " " + KEY):
        assert client.post("/reports", json={}, headers={"X-API-Key": wrong}).status_code == 401


def test_api_keys_are_never_logged(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    secret, guess = "s3cret-key-9c1d", "guessed-key-0a7e"
    with served(tmp_path / "logged.db", secret, log, "--log-level", "info") as url:
        assert httpx.post(f"{url}/reports", json={}, headers={"X-API-Key": secret}).is_error
        assert httpx.post(f"{url}/reports", json={}, headers={"X-API-Key": guess}).is_error
        bearer = {"Authorization": f"Bearer {secret}"}
        assert httpx.post(f"{url}/reports", json={"text": ""}, headers=bearer).is_error
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert '"POST /reports HTTP/1.1" 401' in logged  # the access log is on
    assert secret not in logged and guess not in logged
