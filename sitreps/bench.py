"""`sitreps bench`: how fast sitreps analyses and answers, measured on this machine.

Each measurement runs in a fresh process, so its peak RSS is its own:
- analysis: documents per second on one core (one torch thread, documents one after
  another) over real news texts, beside a bare spaCy `nlp.pipe` over the same texts;
- `/events` latency: p50/p95 of bbox + date queries through the HTTP API (in process,
  no network) on a generated SQLite store of events;
- ingest cost: milliseconds per report added to a store already holding N reports;
- incident growth: milliseconds per report stored into one incident of N reports;
- Ray: documents per second through `RayAnalyser` with 1 and 2 workers.
`report` turns the figures into docs/performance.md with the command, a machine line and
the targets each figure is held to.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from jinja2 import Environment, PackageLoader
from sqlalchemy import insert

from sitreps import __version__
from sitreps.corroboration import Status
from sitreps.model import Analysis, content_id, json_schema
from sitreps.pipeline import BATCH


def read_texts(path: Path, limit: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if len(texts) == limit:
                break
    return texts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _one_core() -> None:
    """Analysis on one core: torch (the sentence embeddings) would use every core."""
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)


@dataclass(frozen=True)
class Throughput:
    label: str
    documents: int
    characters: int
    seconds: float
    peak_rss_mb: float
    stage_seconds: dict[str, float] = field(default_factory=dict)  # sitreps' stages, in order

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds

    def stage_docs_per_second(self, stage: str) -> float:
        return self.documents / self.stage_seconds[stage]


def _throughput(label: str, texts: list[str], mode: str) -> Throughput:
    """Runs in its own process: load, warm up on a few texts, then time the whole list (and
    sitreps' stages one by one)."""
    _one_core()
    run: Callable[[list[str]], None]
    timings: dict[str, float] = {}
    if mode == "spacy":
        from sitreps import nlp

        language = nlp.load()

        def run(batch: list[str]) -> None:
            for _ in language.pipe(batch):
                pass
    else:
        from sitreps.inputs import ReportRecord
        from sitreps.model import Mode
        from sitreps.pipeline import analyze_many

        def run(batch: list[str]) -> None:
            records = (ReportRecord(text=text) for text in batch)
            for _ in analyze_many(records, mode=Mode(mode), timings=timings):
                pass

    run(texts[:3])
    timings.clear()
    started = time.perf_counter()
    run(texts)
    seconds = time.perf_counter() - started
    characters = sum(map(len, texts))
    return Throughput(label, len(texts), characters, seconds, peak_rss_mb(), dict(timings))


P = ParamSpec("P")
T = TypeVar("T")


def _in_fresh_process(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args, **kwargs).result()


def analysis_throughput(texts: list[str]) -> list[Throughput]:
    """Bare spaCy first, then sitreps in full and in fast mode, each in a fresh process."""
    return [
        _in_fresh_process(_throughput, "spaCy nlp.pipe (en_core_web_sm)", texts, "spacy"),
        _in_fresh_process(_throughput, "sitreps analyze", texts, "full"),
        _in_fresh_process(_throughput, "sitreps analyze --mode fast", texts, "fast"),
    ]


# A generated store: events spread over a region the size of Ukraine and three years,
# four events a report, two events an incident.
REGION = (22.0, 44.0, 41.0, 53.0)  # west, south, east, north
FIRST_DAY = date(2022, 2, 24)
DAYS = 3 * 365
EVENTS_PER_REPORT = 4
SUB_EVENT_TYPES = (
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Battles", "Armed clash"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Looting/property destruction"),
)
INSERT_BATCH = 20_000


def _generated_rows(
    n_events: int, seed: int
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]]:
    """Reports, events and incident links, a batch at a time."""
    rng = random.Random(seed)
    west, south, east, north = REGION
    now = datetime.now(UTC)
    reports: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for number in range(n_events):
        report_id = f"{number // EVENTS_PER_REPORT:064x}"
        if number % EVENTS_PER_REPORT == 0:
            reports.append(
                dict(
                    id=report_id,
                    document_key=report_id,
                    version=1,
                    title=f"Generated report {number // EVENTS_PER_REPORT}",
                    outlet=f"outlet {rng.randrange(200)}",
                    url=None,
                    published_at=now,
                    language="en",
                    origin="sitreps bench",
                    ingested_at=now,
                    text="generated",
                )
            )
        event_type, sub_event_type = rng.choice(SUB_EVENT_TYPES)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        event_id = f"e{number % EVENTS_PER_REPORT + 1}"
        events.append(
            dict(
                report_id=report_id,
                event_id=event_id,
                event_type=event_type,
                sub_event_type=sub_event_type,
                actor1="Military Forces of Russia (2000-)",
                inter1=8,
                location=f"place {rng.randrange(5000)}",
                latitude=round(rng.uniform(south, north), 5),
                longitude=round(rng.uniform(west, east), 5),
                country="Ukraine",
                iso=804,
                geo_precision=rng.choice((1, 2, 3)),
                event_date_start=day,
                event_date_end=day,
                time_precision=1,
                certainty="reported",
                claim_ids="c1",
                notes="A generated event.",
                confidence=0.8,
            )
        )
        links.append(
            dict(report_id=report_id, event_id=event_id, incident_id=f"i{number // 2:012x}")
        )
        if len(events) == INSERT_BATCH:
            yield reports, events, links
            reports, events, links = [], [], []
    if events:
        yield reports, events, links


def generate_store(path: Path, n_events: int, seed: int = 0) -> None:
    """A SQLite store of `n_events` generated events; what /events reads, nothing more."""
    from sitreps.store import Store
    from sitreps.store.schema import EventRow, IncidentEventRow, IncidentRow, ReportRow

    store = Store.open(path)
    now = datetime.now(UTC)
    with store.engine.begin() as connection:
        for reports, events, links in _generated_rows(n_events, seed):
            if reports:
                connection.execute(insert(ReportRow), reports)
            incidents = sorted({link["incident_id"] for link in links})
            connection.execute(
                insert(IncidentRow).prefix_with("OR IGNORE"),
                [
                    dict(
                        id=incident,
                        status=Status.SINGLE_SOURCE,
                        n_events=2,
                        n_reports=1,
                        n_outlets=1,
                        n_independent_sources=1,
                        updated_at=now,
                    )
                    for incident in incidents
                ],
            )
            connection.execute(insert(EventRow), events)
            connection.execute(insert(IncidentEventRow), links)
        connection.exec_driver_sql("ANALYZE")
    store.close()


@dataclass(frozen=True)
class Latency:
    events: int
    queries: int
    p50_ms: float
    p95_ms: float
    mean_rows: float
    peak_rss_mb: float


def _query_latency(path: Path, n_events: int, queries: int, seed: int) -> Latency:
    """Runs in its own process: /events with a 2° box and a 30-day window, timed each."""
    from fastapi.testclient import TestClient

    from sitreps.api import ServerSettings, create_app
    from sitreps.store import Store

    store = Store.open(path)
    client = TestClient(create_app(store, ServerSettings()))
    rng = random.Random(seed)
    west, south, east, north = REGION
    timings, rows = [], []
    for number in range(queries + 10):
        lon, lat = rng.uniform(west, east - 2), rng.uniform(south, north - 2)
        since = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 30))
        params = {
            "bbox": f"{lon:.3f},{lat:.3f},{lon + 2:.3f},{lat + 2:.3f}",
            "since": since.isoformat(),
            "until": (since + timedelta(days=30)).isoformat(),
        }
        started = time.perf_counter()
        answer = client.get("/events", params=params)
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        if number >= 10:  # the first queries warm the caches
            timings.append(elapsed * 1000)
            rows.append(len(answer.json()["items"]))
    store.close()
    cuts = statistics.quantiles(timings, n=100)
    return Latency(n_events, queries, cuts[49], cuts[94], statistics.mean(rows), peak_rss_mb())


def events_latency(folder: Path, n_events: int, queries: int, seed: int = 0) -> Latency:
    path = folder / f"bench-events-{n_events}.db"
    if not path.exists():  # generating a million events takes a minute; kept for reruns
        generate_store(path, n_events, seed)
    return _in_fresh_process(_query_latency, path, n_events, queries, seed)


@dataclass(frozen=True)
class RayThroughput:
    workers: int
    documents: int
    seconds: float  # from the first analysis back to the last: the actors are running
    startup_seconds: float  # from submitting to the first analysis back: actors load models

    @property
    def docs_per_second(self) -> float:
        return (self.documents - 1) / self.seconds


def _ray_throughput(texts: list[str], workers: int) -> RayThroughput:
    """Runs in its own process, with a local Ray of `workers` CPUs."""
    from sitreps.distributed import RayAnalyser
    from sitreps.ingest import Document
    from sitreps.inputs import ReportRecord

    analyser = RayAnalyser(workers=workers)
    started = time.perf_counter()
    first = None
    documents = [
        Document(ReportRecord(text=text), f"text {n}", None) for n, text in enumerate(texts)
    ]
    for _ in analyser(documents):
        first = first or time.perf_counter()
    finished = time.perf_counter()
    analyser.close()
    assert first is not None
    return RayThroughput(workers, len(texts), finished - first, first - started)


def ray_throughput(texts: list[str], workers: tuple[int, ...] = (1, 2)) -> list[RayThroughput]:
    """The texts twice over: while the last batches run some actors are idle, and the run
    must be long beside that."""
    return [_in_fresh_process(_ray_throughput, texts * 2, n) for n in workers]


# Ingest cost: reports are copies of short templates (the paragraphs of the example reports
# that state an event), each moved to a random day and its places to random points of REGION.
# A store grows as reporting goes on, so a store of N reports spans N / REPORTS_PER_DAY days:
# what the cost of adding a report may grow with is the size of the store, not how many
# reports a day there are (which matching must read, however large the store).
TEMPLATE_PUBLISHED = datetime(2024, 6, 1, 12, tzinfo=UTC)
REPORTS_PER_DAY = 100
EDGE_DAYS = 15  # the widest date window of the templates' events, and then some


def span_days(n_reports: int) -> int:
    return max(30, n_reports // REPORTS_PER_DAY)


def templates_in(folder: Path, reports: Path) -> Path:
    """The templates' analyses, kept in the work dir like the generated stores: analysed
    once, in a process of their own, for each version of the example reports, of sitreps and
    of the analysis schema; each measuring process reads them."""
    key = hashlib.sha256(
        reports.read_bytes() + __version__.encode() + json.dumps(json_schema()).encode()
    ).hexdigest()[:16]
    path = folder / f"bench-templates-{key}.jsonl"
    if not path.exists():
        _in_fresh_process(_write_templates, path, reports)
    return path


def _write_templates(path: Path, reports: Path) -> None:
    _one_core()
    partial = path.with_suffix(".partial")
    partial.write_text("".join(t.model_dump_json() + "\n" for t in templates(reports)), "utf-8")
    partial.replace(path)


def read_templates(path: Path) -> list[Analysis]:
    return [Analysis.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]


def templates(path: Path) -> list[Analysis]:
    from sitreps.pipeline import analyze

    paragraphs = [
        paragraph.strip()
        for text in read_texts(path, 1000)
        for paragraph in text.split("\n")
        if len(paragraph.strip()) > 80
    ]
    analysed = (analyze(p, title=p[:60], published_at=TEMPLATE_PUBLISHED) for p in paragraphs)
    return [analysis for analysis in analysed if analysis.events]


def copy_of(template: Analysis, number: int, days: range, rng: random.Random) -> Analysis:
    """A copy with its own text (so its own id), a day `days` after FIRST_DAY, and places."""
    shift = FIRST_DAY + timedelta(days=rng.choice(days)) - TEMPLATE_PUBLISHED.date()
    copy = template.model_copy(deep=True)
    copy.report.text = f"{template.report.text}\n[copy {number}]"
    copy.report.id = content_id(copy.report.text)
    copy.report.published_at = TEMPLATE_PUBLISHED + shift
    copy.report.outlet = f"outlet {rng.randrange(200)}"
    west, south, east, north = REGION
    for place in copy.places:
        if place.lat is not None:
            place.lat, place.lon = rng.uniform(south, north), rng.uniform(west, east)
    for event in copy.events:
        event.date_start = event.date_start and event.date_start + shift
        event.date_end = event.date_end and event.date_end + shift
    return copy


def prefilled_store(path: Path, n_reports: int, patterns: list[Analysis], seed: int) -> None:
    """A store of `n_reports` copies, each event in an incident of its own: written in bulk
    with the store's own rows, without matching (which is what the benchmark times)."""
    from sqlalchemy.orm import Session

    from sitreps.incidents import Incident, embed, mentions_of
    from sitreps.store import Store, add_analysis, join_incident, report_row

    vectors: dict[str, Any] = {}  # a copy's mentions read as its template's: same title, text
    for pattern in patterns:
        mentions = mentions_of(pattern)
        embed(mentions)
        vectors |= {m.text: m.vector for m in mentions}
    rng = random.Random(seed)
    store = Store.open(path)
    now = datetime.now(UTC)
    session = Session(store.engine)
    for number in range(n_reports):
        analysis = copy_of(rng.choice(patterns), number, range(span_days(n_reports)), rng)
        session.add(report_row(analysis, analysis.report.id, 1, "sitreps bench", now))
        session.flush()
        accounts = add_analysis(session, analysis, now)
        for event, mention in zip(analysis.events, mentions_of(analysis), strict=True):
            mention.vector = vectors[mention.text]
            incident = Incident(f"i{number:08d}{event.id}")
            incident.join(mention)
            join_incident(session, incident, analysis, event, accounts[event.id], mention, now)
        if number % 1000 == 999:
            session.commit()
    session.commit()
    session.close()
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    store.close()


@dataclass(frozen=True)
class IngestCost:
    reports_before: int
    reports_added: int
    median_ms: float  # storing: Store.add with the events' embeddings given
    mean_ms: float
    embedding_mean_ms: float  # embedding the events: by the workers, on a cluster


def _ingest_cost(
    path: Path, patterns_file: Path, n_reports: int, added: int, seed: int
) -> IngestCost:
    """Runs in its own process: add `added` new copies to a copy of the prefilled store."""
    from sitreps.incidents import event_vectors
    from sitreps.store import Store

    _one_core()
    patterns = read_templates(patterns_file)
    rng = random.Random(seed + 1)
    store = Store.open(path)
    # New reports fall inside the span, away from its ends, where there would be fewer
    # reports to match against: a small store would look cheaper than it is.
    span = span_days(n_reports)
    edge = min(EDGE_DAYS, span // 4)
    days = range(edge, span - edge)
    store.add(copy_of(patterns[0], -1, days, rng), None, "warm-up")
    storing, embedding = [], []
    for number in range(added):
        analysis = copy_of(rng.choice(patterns), n_reports + number, days, rng)
        started = time.perf_counter()
        vectors = event_vectors(analysis)
        embedded = time.perf_counter()
        store.add(analysis, None, "sitreps bench", vectors)
        storing.append((time.perf_counter() - embedded) * 1000)
        embedding.append((embedded - started) * 1000)
    store.close()
    return IngestCost(
        n_reports,
        added,
        statistics.median(storing),
        statistics.mean(storing),
        statistics.mean(embedding),
    )


def ingest_cost(
    folder: Path, reports: Path, n_reports: int, added: int, seed: int = 0
) -> IngestCost:
    import shutil

    patterns = templates_in(folder, reports)
    prefilled = folder / f"bench-reports-{n_reports}-{REPORTS_PER_DAY}-a-day.db"
    if not prefilled.exists():
        _in_fresh_process(_prefill, prefilled, patterns, n_reports, seed)
    trial = folder / "bench-ingest-trial.db"
    shutil.copyfile(prefilled, trial)  # the prefilled store stays as it was, for reruns
    try:
        return _in_fresh_process(_ingest_cost, trial, patterns, n_reports, added, seed)
    finally:
        for leftover in folder.glob("bench-ingest-trial.db*"):
            leftover.unlink()


@dataclass(frozen=True)
class IncidentCost:
    reports_before: int  # in the one incident the new reports join
    reports_added: int
    reports_after: int  # in that incident at the end: the new reports did join it
    median_ms: float  # storing: Store.add with the events' embeddings given
    mean_ms: float


def _incident_cost(
    path: Path, patterns_file: Path, reports_before: int, added: int
) -> IncidentCost:
    """Runs in its own process: a store whose one incident holds `reports_before` copies
    of one report of a strike, from as many outlets; then `added` more copies, timed."""
    from sitreps.incidents import event_vectors
    from sitreps.store import Store

    _one_core()
    patterns = read_templates(patterns_file)
    pattern = next(t for t in patterns if len(t.events) == 1 and t.events[0].date_start)
    vectors = event_vectors(pattern)
    store = Store.open(path)

    def told_again(number: int) -> Analysis:
        copy = pattern.model_copy(deep=True)
        copy.report.text = f"{pattern.report.text}\n[copy {number}]"
        copy.report.id = content_id(copy.report.text)
        copy.report.outlet = f"outlet {number}"
        return copy

    for number in range(reports_before):
        store.add(told_again(number), None, "sitreps bench", vectors)
    storing = []
    for number in range(reports_before, reports_before + added):
        analysis = told_again(number)
        started = time.perf_counter()
        store.add(analysis, None, "sitreps bench", vectors)
        storing.append((time.perf_counter() - started) * 1000)
    largest = max(incident["n_reports"] for incident in store.incidents())
    store.close()
    return IncidentCost(
        reports_before, added, largest, statistics.median(storing), statistics.mean(storing)
    )


def incident_cost(folder: Path, reports: Path, reports_before: int, added: int) -> IncidentCost:
    trial = folder / "bench-incident-trial.db"
    try:
        return _in_fresh_process(
            _incident_cost, trial, templates_in(folder, reports), reports_before, added
        )
    finally:
        for leftover in folder.glob("bench-incident-trial.db*"):
            leftover.unlink()


def _prefill(path: Path, patterns_file: Path, n_reports: int, seed: int) -> None:
    _one_core()
    prefilled_store(path, n_reports, read_templates(patterns_file), seed)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, sitreps {__version__}"
    )


@dataclass
class Results:
    command: str
    machine: str
    texts: str
    analysis: list[Throughput]
    latency: Latency | None
    ingest: list[IngestCost]
    incident: list[IncidentCost]
    ray: list[RayThroughput]

    def as_dict(self) -> dict[str, Any]:
        figures = asdict(self)
        for key in ("analysis", "ray"):
            for measured, entry in zip(getattr(self, key), figures[key], strict=True):
                entry["docs_per_second"] = measured.docs_per_second
        return figures


def _growth(target: str, before_ms: float, after_ms: float) -> tuple[str, str, bool]:
    """A cost that should not grow by more than a fifth: (target, measured, met)."""
    growth = after_ms / before_ms - 1
    return target, f"{growth:+.0%}", growth <= 0.2


def _targets(results: Results) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target these results measure."""
    rows = []
    bare, full, fast = results.analysis
    rows.append(("≥ 30 docs/s/core", f"{full.docs_per_second:.1f}", full.docs_per_second >= 30))
    slower = bare.docs_per_second / full.docs_per_second
    rows.append(("≤ 1.3 × the bare spaCy parse", f"{slower:.2f} ×", slower <= 1.3))
    rows.append(
        ("fast mode ≥ 200 docs/s/core", f"{fast.docs_per_second:.1f}", fast.docs_per_second >= 200)
    )
    if "places" in full.stage_seconds:
        places = full.stage_docs_per_second("places")
        rows.append(("places stage ≥ 150 docs/s/core", f"{places:.0f}", places >= 150))
    peak = max(full.peak_rss_mb, fast.peak_rss_mb)
    rows.append(("peak RSS ≤ 1 GB", f"{peak:.0f} MB", peak <= 1024))
    if results.latency is not None:
        latency = results.latency
        rows.append(
            (
                f"/events p95 ≤ 50 ms at {latency.events:,} events",
                f"{latency.p95_ms:.1f} ms",
                latency.p95_ms <= 50,
            )
        )
    if len(results.ingest) > 1:
        first, last = results.ingest[0], results.ingest[-1]
        target = f"storing a report at {last.reports_before:,} within 20 % of "
        rows.append(_growth(target + f"{first.reports_before:,}", first.mean_ms, last.mean_ms))
    if len(results.incident) > 1:
        small, large = results.incident[0], results.incident[-1]
        target = f"storing into an incident of {large.reports_before} reports within 20 % of "
        rows.append(
            _growth(target + f"one of {small.reports_before}", small.mean_ms, large.mean_ms)
        )
    if len(results.ray) > 1:
        one, most = results.ray[0], results.ray[-1]
        gain = most.docs_per_second / one.docs_per_second
        needed = 0.9 * most.workers / one.workers
        rows.append(
            (
                f"Ray {most.workers} workers ≥ {needed:.1f} × {one.workers}",
                f"{gain:.2f} ×",
                gain >= needed,
            )
        )
    return rows


def report(results: Results) -> str:
    """The Markdown report (docs/performance.md) from its template."""
    environment = Environment(
        loader=PackageLoader("sitreps", "templates"), trim_blocks=True, lstrip_blocks=True
    )
    template = environment.get_template("performance.md.j2")
    return template.render(
        r=results, targets=_targets(results), reports_per_day=REPORTS_PER_DAY, batch=BATCH
    )
