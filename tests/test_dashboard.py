"""The dashboard in a real headless Chromium (Debian's, driven by Playwright) against
`sitreps serve` on a store of the example corpus."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from sitreps.model import content_id
from tests.conftest import copy_store, run_cli
from tests.serving import served
from tests.test_api import KEY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE = (
    "Russian drones struck the port of Odesa overnight, the regional governor said. "
    '<script>window.pwned = 1; alert("script")</script> '
    "<img src=x onerror=\"window.pwned = 2; alert('img')\">"
)

# Markup in every field a report brings: title, outlet, URL, and the names in its text.
HOSTILE_RECORD = {
    "text": "Russian drones struck the port of Izmail overnight, killing two people, said "
    '<svg onload="window.pwned = 3">Oleh Kiper</svg>, the regional governor. '
    "According to <b onmouseover='window.pwned = 4'>Kyiv Post</b>, a grain silo burned.",
    "title": '<img src=x onerror="window.pwned = 5">Izmail port hit',
    "outlet": "<script>window.pwned = 6</script>Wire",
    "url": "javascript:window.pwned = 7",
    "published_at": "2026-10-16T08:00:00Z",
}

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: `make test` installs Debian's package"
)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, example_store: Path
) -> Iterator[tuple[str, str]]:
    """The served dashboard's address over the example store, and the id of a report full of
    markup posted to it."""
    folder = tmp_path_factory.mktemp("dashboard")
    db = folder / "corpus.db"
    copy_store(example_store, db)
    hostile_batch = folder / "hostile.jsonl"
    hostile_batch.write_text(json.dumps(HOSTILE_RECORD) + "\n", encoding="utf-8")
    ingested = run_cli("ingest", str(hostile_batch), "--db", str(db))
    assert ingested.returncode == 0, ingested.stderr
    with served(db, KEY) as url:
        posted = httpx.post(
            f"{url}/reports",
            json={
                "text": HOSTILE,
                "title": "<b>Odesa</b> port hit",
                "outlet": "Test Wire",
                "published_at": "2026-10-15T08:00:00Z",
            },
            headers={"X-API-Key": KEY},
            timeout=120,
        )
        assert posted.status_code == 201, posted.text
        yield url, posted.json()["reports"][0]["id"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def dialogs() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, server: tuple[str, str], dialogs: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.goto(server[0])
    opened.wait_for_selector("body[data-ready=true]", timeout=60_000)
    yield opened
    context.close()


def markers(page: Page) -> int:
    return page.locator("path.incident-marker").count()


def open_incident(page: Page, marker: Locator) -> Locator:
    """Click an incident's marker; the panel, once it shows that incident."""
    incident = marker.get_attribute("data-incident")
    marker.dispatch_event("click")
    return page.locator(f'#detail[data-incident="{incident}"]')


def test_the_map_loads_with_markers_and_a_timeline(page: Page) -> None:
    assert markers(page) > 5
    assert page.locator("#map").get_attribute("data-markers") == str(markers(page))
    assert page.locator("#timeline rect.bar").count() > 0
    assert page.locator(".leaflet-overlay-pane path").count() > markers(page)  # the outlines
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"))


def test_clicking_an_incident_shows_its_evidence(page: Page) -> None:
    marker = page.locator("path.status-corroborated").first
    detail = open_incident(page, marker)
    detail.locator("h2").wait_for()
    row = page.locator("#incident-list tr.selected")  # the list follows the map
    assert row.get_attribute("data-incident") == marker.get_attribute("data-incident")
    assert row.is_visible()
    assert "corroborated" in detail.locator(".badge").first.inner_text().lower()
    assert detail.locator("ul.voices li").count() >= 2  # independent voices, grouped
    assert detail.locator("ul.claims li").count() >= 1
    assert "according to" in detail.locator("ul.claims").inner_text()
    assert detail.locator("ul.reports li").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "dashboard-incident.png"))


def test_a_filter_changes_the_markers(page: Page) -> None:
    everything = markers(page)
    page.select_option("#filter-status", "contested")
    contested = markers(page)
    assert 0 < contested < everything
    assert page.locator("path.incident-marker:not(.status-contested)").count() == 0
    page.click("#filter-reset")
    page.wait_for_function(
        "n => document.querySelectorAll('path.incident-marker').length == n", arg=everything
    )


def test_brushing_the_timeline_sets_the_dates(page: Page) -> None:
    everything = markers(page)
    box = page.locator("#timeline svg").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.05, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=5)
    page.mouse.up()
    assert page.input_value("#filter-since") and page.input_value("#filter-until")
    assert markers(page) < everything


def test_report_text_with_markup_is_shown_as_text(
    page: Page, server: tuple[str, str], dialogs: list[str]
) -> None:
    url, report_id = server
    hostile = next(
        incident
        for incident in httpx.get(f"{url}/incidents").json()
        if any(claim["report_id"] == report_id for claim in incident["evidence"]["claims"])
    )
    detail = open_incident(page, page.locator(f'path[data-incident="{hostile["id"]}"]'))
    detail.locator("ul.reports button", has_text="<b>Odesa</b> port hit").click()
    text = page.locator(".report-text")
    text.wait_for()
    shown = text.inner_text()
    assert '<script>window.pwned = 1; alert("script")</script>' in shown
    assert "<img src=x onerror=" in shown
    assert page.locator("#detail img, #detail script, #detail b").count() == 0
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-report.png"))


def test_markup_in_titles_outlets_names_and_urls_is_inert(
    page: Page, server: tuple[str, str], dialogs: list[str]
) -> None:
    url, report_id = server[0], content_id(HOSTILE_RECORD["text"])
    incident = next(
        incident
        for incident in httpx.get(f"{url}/incidents").json()
        if any(claim["report_id"] == report_id for claim in incident["evidence"]["claims"])
    )
    marker = page.locator(f'path[data-incident="{incident["id"]}"]')
    marker.dispatch_event("mouseover")
    page.locator(".leaflet-tooltip").wait_for()
    detail = open_incident(page, marker)
    detail.locator("h2").wait_for()
    panel = detail.inner_text()
    assert "<script>window.pwned = 6</script>Wire" in panel  # the outlet, as text
    detail.locator("ul.reports button", has_text="Izmail port hit").click()
    page.locator(".report-text").wait_for()
    shown = detail.inner_text()
    assert '<img src=x onerror="window.pwned = 5">Izmail port hit' in shown
    assert "javascript:window.pwned = 7" in shown  # the URL, as text and not as a link
    assert page.locator("#detail a[href^='javascript']").count() == 0
    assert page.locator("#detail img, #detail svg, #detail script, #detail b").count() == 0
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
    assert page.evaluate("window.pwned") is None
    assert dialogs == []


def test_the_dashboard_is_served_with_a_content_security_policy(server: tuple[str, str]) -> None:
    policy = httpx.get(server[0]).headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy


def test_the_api_docs_render_from_the_vendored_swagger_ui(
    browser: Browser, server: tuple[str, str]
) -> None:
    context = browser.new_context()
    docs = context.new_page()
    outside: list[str] = []
    docs.on(
        "request",
        lambda request: None if request.url.startswith(server[0]) else outside.append(request.url),
    )
    docs.goto(f"{server[0]}/docs")
    docs.locator(".opblock").first.wait_for(timeout=30_000)
    assert docs.locator(".opblock").count() >= 8  # every operation of the API
    assert outside == []  # nothing fetched from anywhere else
    context.close()


def test_the_latest_incident_is_shown_on_load(page: Page) -> None:
    rows = page.locator("#incident-list tbody tr")
    assert rows.count() >= markers(page)
    first = rows.first
    assert "selected" in (first.get_attribute("class") or "")
    assert page.locator("#detail").get_attribute("data-incident") == first.get_attribute(
        "data-incident"
    )
    dates = [d for d in rows.locator("td:first-child").all_inner_texts() if d != "—"]
    assert dates[0] == max(dates)
    page.screenshot(path=str(ARTIFACTS / "dashboard-list.png"))


def test_the_incident_list_sorts_and_searches(page: Page) -> None:
    page.locator("#incident-list th[data-key=voices] button").click()
    assert page.locator("#incident-list th[data-key=voices]").get_attribute("aria-sort") == (
        "descending"
    )
    voices = [int(v) for v in page.locator("#incident-list tbody td.number").all_inner_texts()]
    assert voices == sorted(voices, reverse=True) and voices[0] >= 2
    page.locator("#incident-list tbody tr").nth(1).click()
    second = page.locator("#incident-list tbody tr").nth(1)
    assert "selected" in (second.get_attribute("class") or "")
    everything = markers(page)
    page.fill("#filter-search", "odesa")
    places = page.locator("#incident-list tbody td:nth-child(2)").all_inner_texts()
    assert places and all(place == "Odesa" for place in places)
    assert 0 < markers(page) < everything
    page.fill("#filter-search", "no such place anywhere")
    assert page.locator("#incident-list .empty").inner_text() == "No incident meets these filters."


def test_the_filtered_events_export_as_acled_csv_and_geojson(
    page: Page, server: tuple[str, str]
) -> None:
    page.select_option("#filter-status", "contested")
    page.fill("#filter-search", "kharkiv")
    shown = int(page.locator("#summary").get_attribute("data-events") or 0)
    assert shown > 0
    href = page.locator("#export-csv").get_attribute("href") or ""
    assert "status=contested" in href and "search=kharkiv" in href
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == shown
    assert {row["corroboration"] for row in rows} == {"contested"}
    geojson = httpx.get(server[0] + (page.locator("#export-geojson").get_attribute("href") or ""))
    assert {f["properties"]["corroboration"] for f in geojson.json()["features"]} == {"contested"}
    # A kind of source and dates: the page counts the events the export gives.
    page.click("#filter-reset")
    kinds = page.locator("#filter-kind option").all_inner_texts()
    page.select_option("#filter-kind", kinds[1])
    page.fill("#filter-since", "2026-10-14")
    page.dispatch_event("#filter-since", "change")
    href = page.locator("#export-csv").get_attribute("href") or ""
    assert "source_kind=" in href and "since=2026-10-14" in href
    exported = list(csv.DictReader(io.StringIO(httpx.get(server[0] + href).text)))
    assert exported and len(exported) == int(
        page.locator("#summary").get_attribute("data-events") or -1
    )


def test_town_names_label_the_map_offline(browser: Browser, server: tuple[str, str]) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    outside: list[str] = []
    opened.on(
        "request",
        lambda request: None if request.url.startswith(server[0]) else outside.append(request.url),
    )
    opened.goto(server[0])
    opened.wait_for_selector("body[data-ready=true]", timeout=60_000)
    names = opened.locator(".town-label").all_inner_texts()
    assert len(names) >= 20 and {"Kyiv", "Kharkiv", "Odesa"} <= set(names)
    assert outside == []
    opened.screenshot(path=str(ARTIFACTS / "dashboard-towns.png"))
    context.close()
