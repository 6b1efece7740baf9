"""The `sitreps` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sitreps import progress, registry, render
from sitreps.corroboration import Status
from sitreps.inputs import MAX_CHARS, InputError, decode
from sitreps.model import Analysis, Mode, SourceKind, json_schema
from sitreps.pipeline import BATCH, analyze, analyze_many

if TYPE_CHECKING:
    from sitreps.ingest import Failure

EXIT_CODES = """Exit codes: 0 success; 1 internal error (a bug: please report it);
2 usage error (bad option, missing file); 3 input refused (empty, binary, too large,
or a batch in which some reports were refused: the others are still written); 4 `sitreps
check` found the store damaged."""

app = typer.Typer(
    help="sitreps: turn war reporting into evidence.\n\n" + EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True)

EXIT_INTERNAL, EXIT_USAGE, EXIT_REFUSED, EXIT_DAMAGED = 1, 2, 3, 4


class OutputFormat(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


def _read_source(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    file = Path(path)
    if not file.is_file():
        raise typer.BadParameter(f"{path}: no such file", param_hint="PATH")
    return file.read_bytes()


def _summary(analyses: list[Analysis], failures: list[Failure]) -> None:
    table = Table(title=f"{len(analyses)} report(s) analysed", title_justify="left")
    for column in ("report", "claims", "sources", "events", "places", "warnings"):
        table.add_column(column, justify="left" if column == "report" else "right")
    for analysis in analyses:
        label = analysis.report.title or analysis.report.id[:12]
        table.add_row(
            label[:60],
            str(len(analysis.claims)),
            str(len(analysis.sources) - 1),
            str(len(analysis.events)),
            str(len(analysis.places)),
            str(len(analysis.warnings)),
        )
    stderr.print(table)
    for failure in failures:
        stderr.print(f"[red]refused[/red] {failure.where}: {failure.reason}")


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


ModeOption = Annotated[
    Mode,
    typer.Option(
        help="fast: rules and word lists only, no statistical model; faster and less "
        "accurate (docs/quality.md, Fast mode)"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


def _registry() -> registry.Registry:
    """The source registry; a broken user's file is a usage error that names its entry."""
    try:
        return registry.default()
    except registry.RegistryError as error:
        typer.echo(f"sitreps: source registry: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@contextmanager
def _progress(quiet: bool) -> Iterator[None]:
    """Progress shown, the gazetteer first where it must be built (a first run's minute
    is then not silent), then the command's own work."""
    from sitreps.gazetteer import open_gazetteer

    with progress.shown(quiet):
        open_gazetteer()
        yield


QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress (shown on a terminal, else a line every 10 s)"),
]


@app.command("analyze", epilog=EXIT_CODES)
def analyze_command(
    path: Annotated[
        str, typer.Argument(help="A text file, a .jsonl batch of reports, or - for stdin")
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="json, markdown or html")
    ] = OutputFormat.JSON,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not stdout")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Report title")] = None,
    outlet: Annotated[str | None, typer.Option(help="Who published the report")] = None,
    url: Annotated[str | None, typer.Option(help="Where the report was published")] = None,
    published_at: Annotated[
        datetime | None,
        typer.Option(help="Publication time (ISO 8601); without it relative dates stay unknown"),
    ] = None,
    max_chars: Annotated[int, typer.Option(help="Refuse longer texts")] = MAX_CHARS,
    mode: ModeOption = Mode.FULL,
    quiet: QuietOption = False,
) -> None:
    """Analyse reports: claims with their sources and certainty, events, places, dates.

    A .jsonl file is a batch: one JSON object a line with "text" and optionally "title",
    "outlet", "url", "published_at"; --outlet and --published-at apply to every record that
    lacks its own. JSON output of a batch is JSONL, one analysis a line.
    """
    _registry()  # a broken source registry file is reported before any work is done
    failures: list[Failure] = []
    if path.endswith(".jsonl"):
        from sitreps.ingest import Document, Failure, documents

        if not Path(path).is_file():
            raise typer.BadParameter(f"{path}: no such file", param_hint="PATH")
        # read as `sitreps ingest` reads a batch: a line at a time, bad lines refused
        found = list(documents([path], None, max_chars, outlet, published_at))
        failures = [item for item in found if isinstance(item, Failure)]
        readable = [item for item in found if isinstance(item, Document)]
        analyses = []
        with _progress(quiet):
            results = analyze_many((d.record for d in readable), max_chars=max_chars, mode=mode)
            for document, result in progress.track(
                zip(readable, results, strict=True), "analysing", total=len(readable)
            ):
                if isinstance(result, Analysis):
                    analyses.append(result)
                elif isinstance(result, InputError):
                    failures.append(Failure(document.origin, str(result)))
                else:
                    raise result
        _summary(analyses, failures)
    else:
        data = _read_source(path)
        try:
            decoded = decode(data, max_chars=max_chars)
        except InputError as error:
            typer.echo(f"sitreps: {path}: {error}", err=True)
            raise typer.Exit(EXIT_REFUSED) from error
        analysis = analyze(
            decoded.text,
            title=title,
            outlet=outlet,
            url=url,
            published_at=published_at,
            max_chars=max_chars,
            mode=mode,
        )
        analysis.warnings[:0] = decoded.warnings
        analyses = [analysis]

    if output_format is OutputFormat.JSON:
        _write(
            "\n".join(
                a.model_dump_json(
                    indent=None if len(analyses) > 1 or path.endswith(".jsonl") else 2
                )
                for a in analyses
            ),
            output,
        )
    elif output_format is OutputFormat.MARKDOWN:
        _write("\n\n---\n\n".join(render.to_markdown(a) for a in analyses), output)
    else:
        _write(render.to_html(analyses), output)
    if failures:
        raise typer.Exit(EXIT_REFUSED)


eval_app = typer.Typer(help="Measure an extractor against a gold set.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


class GeoTask(StrEnum):
    RESOLVE = "resolve"
    END_TO_END = "end-to-end"


def _print_figures(title: str, figures: dict[str, Any], as_json: bool) -> None:
    """One JSON object, or a table of the headline figures and of each breakdown."""
    if as_json:
        sys.stdout.write(json.dumps(figures) + "\n")
        return
    console = Console()
    console.print(title, highlight=False, soft_wrap=True)
    headline = Table()
    headline.add_column("figure")
    headline.add_column("value", justify="right")
    for key, value in figures.items():
        if not isinstance(value, dict | list):
            headline.add_row(key, "—" if value is None else str(value))
    console.print(headline)
    for key, value in figures.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            columns = list(next(iter(value.values())))
            breakdown = Table(title=key.replace("_", " "), title_justify="left")
            breakdown.add_column("group")
            for column in columns:
                breakdown.add_column(column, justify="right")
            for group, row in value.items():
                breakdown.add_row(group, *("—" if row[c] is None else str(row[c]) for c in columns))
            console.print(breakdown)
        elif isinstance(value, list) and value:
            listing = Table(title=key.replace("_", " "), title_justify="left")
            for column in value[0]:
                listing.add_column(column)
            for row in value:
                listing.add_row(*(str(v) for v in row.values()))
            console.print(listing)


def _mode_flag(mode: Mode) -> str:
    """The option that reproduces a measure of fast mode; full mode is the default."""
    return " --mode fast" if mode is Mode.FAST else ""


def _evaluated(
    command: str, evaluate: Callable[[], dict[str, Any]], as_json: bool, quiet: bool
) -> None:
    """Run one evaluation and print its figures under the command that reproduces them; a
    gold file the evaluation cannot read is a bad FILE."""
    try:
        with _progress(quiet):
            figures = evaluate()
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="FILE") from error
    _print_figures(command, figures, as_json)


def _existing_file(path: Path) -> Path:
    if not path.is_file():
        raise typer.BadParameter(f"{path}: no such file", param_hint="FILE")
    return path


@eval_app.command("geo")
def eval_geo(
    file: Annotated[Path, typer.Argument(help="Toponym JSONL (the LGL / GeoWebNews format)")],
    task: Annotated[
        GeoTask, typer.Option(help="resolve: gold spans given; end-to-end: spans found too")
    ] = GeoTask.RESOLVE,
    folds: Annotated[
        int | None,
        typer.Option(help="resolve: train the ranker on the other folds' documents"),
    ] = None,
    mode: ModeOption = Mode.FULL,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Place resolution: acc@161 km, exact GeoNames match, median and mean error (km)."""
    from sitreps.evaluation.geo import evaluate_geo

    if folds is not None and (folds < 2 or task is not GeoTask.RESOLVE):
        raise typer.BadParameter("--folds needs --task resolve and at least 2 folds")
    command = (
        f"sitreps eval geo {file} --task {task.value}"
        + (f" --folds {folds}" if folds else "")
        + _mode_flag(mode)
    )
    _evaluated(
        command,
        lambda: evaluate_geo(_existing_file(file), task.value, mode, folds),
        as_json,
        quiet,
    )


@eval_app.command("incident-geo")
def eval_incident_geo(
    file: Annotated[Path, typer.Argument(help="Incident JSONL (the Bellingcat civharm format)")],
    mode: ModeOption = Mode.FULL,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Incident location from a description: median error, within 10/50 km, oblast accuracy."""
    from sitreps.evaluation.geo import evaluate_incident_geo

    _evaluated(
        f"sitreps eval incident-geo {file}" + _mode_flag(mode),
        lambda: evaluate_incident_geo(_existing_file(file), mode),
        as_json,
        quiet,
    )


@eval_app.command("incidents")
def eval_incidents(
    file: Annotated[Path, typer.Argument(help="Documents JSONL with gold incidents (ECB+ format)")],
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Incident clustering: B-cubed and pairwise P/R/F1 and ARI, beside a tf-idf baseline."""
    from sitreps.evaluation.incidents import evaluate_incidents

    _evaluated(
        f"sitreps eval incidents {file}",
        lambda: evaluate_incidents(_existing_file(file)),
        as_json,
        quiet,
    )


@eval_app.command("attribution")
def eval_attribution(
    file: Annotated[Path, typer.Argument(help="Attribution JSONL (the PolNeAR format)")],
    mode: ModeOption = Mode.FULL,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Attribution: source, cue and content span P/R/F1, exact and overlap (>= 50 % words)."""
    from sitreps.evaluation.attribution import evaluate_attribution

    _evaluated(
        f"sitreps eval attribution {file}" + _mode_flag(mode),
        lambda: evaluate_attribution(_existing_file(file), mode),
        as_json,
        quiet,
    )


@eval_app.command("events")
def eval_events(
    file: Annotated[Path, typer.Argument(help="Event JSONL (the CASE 2021 task 2 format)")],
    folds: Annotated[
        int | None,
        typer.Option(min=2, help="Cross-validate a model trained on the file instead"),
    ] = None,
    mode: ModeOption = Mode.FULL,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Event typing (30 CASE types): accuracy, weighted and macro F1, most confused pairs."""
    from sitreps.evaluation.events import evaluate_events

    _evaluated(
        f"sitreps eval events {file}" + (f" --folds {folds}" if folds else "") + _mode_flag(mode),
        lambda: evaluate_events(_existing_file(file), folds, embedded=mode is Mode.FULL),
        as_json,
        quiet,
    )


@eval_app.command("events-plover")
def eval_events_plover(
    file: Annotated[Path, typer.Argument(help="PLOVER gold-standard records (JSONL)")],
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """ACLED event type of the PLOVER records whose types map to one (`none` included)."""
    from sitreps.evaluation.events import evaluate_events_plover

    _evaluated(
        f"sitreps eval events-plover {file}",
        lambda: evaluate_events_plover(_existing_file(file)),
        as_json,
        quiet,
    )


@eval_app.command("war-events")
def eval_war_events(
    file: Annotated[
        Path, typer.Argument(help="Articles with hand-coded events (the war/*.jsonl format)")
    ],
    mode: ModeOption = Mode.FULL,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Events end to end on real articles: event P/R/F1; sub-event type, actor1, place
    within 10 km and fatalities on matched events; articles without events given some."""
    from sitreps.evaluation.war_events import evaluate_war_events

    _evaluated(
        f"sitreps eval war-events {file}" + _mode_flag(mode),
        lambda: evaluate_war_events(_existing_file(file), mode),
        as_json,
        quiet,
    )


@eval_app.command("entities")
def eval_entities(
    file: Annotated[
        Path, typer.Argument(help="Texts with gold entity spans (the ruuk/*.jsonl format)")
    ],
    label: Annotated[str, typer.Option(help="The gold label that names places")] = "LOC",
    mode: ModeOption = Mode.FULL,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Place mentions found in each text's own language: precision, recall and F1 on exact
    spans (and on overlapping ones); where the gold gives lemmas, the share of matched places
    resolved to the place the lemma names."""
    from sitreps.evaluation.entities import evaluate_entities

    _evaluated(
        f"sitreps eval entities {file} --label {label}" + _mode_flag(mode),
        lambda: evaluate_entities(_existing_file(file), label, mode),
        as_json,
        quiet,
    )


gazetteer_app = typer.Typer(help="The offline gazetteer.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("import", epilog=EXIT_CODES)
def gazetteer_import(
    file: Annotated[
        Path, typer.Argument(help="A GeoNames dump: allCountries.txt, a country file, or its .zip")
    ],
    quiet: QuietOption = False,
) -> None:
    """Add a GeoNames dump to the gazetteer (rivers, districts, small villages, exact points).

    Rows that are not in GeoNames' 19-column format are skipped and reported; the rest are
    loaded in one transaction. Importing the same file again changes nothing.
    """
    from sitreps.gazetteer_import import import_geonames

    with _progress(quiet):
        summary = import_geonames(_existing_file(file))
    typer.echo(f"imported {summary.imported} places from {file}")
    for reason in summary.skipped[:20]:
        typer.echo(f"skipped {reason}", err=True)
    if len(summary.skipped) > 20:
        typer.echo(f"... and {len(summary.skipped) - 20} more rows skipped", err=True)
    if summary.skipped:
        raise typer.Exit(EXIT_REFUSED)


sources_app = typer.Typer(
    help="The source registry: kind and affiliation of known sources.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")


@sources_app.command("list")
def sources_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Every registry entry, the user's first (they win over the shipped ones)."""
    entries = _registry().entries
    if as_json:
        for entry in entries:
            sys.stdout.write(entry.model_dump_json() + "\n")
        return
    table = Table(title=f"source registry ({len(entries)} entries)", title_justify="left")
    for column in ("name", "kind", "affiliation", "reference"):
        table.add_column(column)
    for entry in entries:
        table.add_row(entry.name, entry.kind.value, entry.affiliation or "—", entry.reference)
    Console().print(table)


@sources_app.command("path")
def sources_path() -> None:
    """Where your own registry file is read from ($SITREPS_SOURCES, else the config dir)."""
    path = registry.user_path()
    typer.echo(f"{path}{'' if path.exists() else ' (does not exist yet)'}")


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite file or database URL (default: $SITREPS_DATABASE_URL, else ./sitreps.db)",
    ),
]


class Engine(StrEnum):
    LOCAL = "local"
    RAY = "ray"


RAY_WINDOW = 10_000  # each window starts its actors afresh: large enough to hide their model loads


@app.command("ingest", epilog=EXIT_CODES)
def ingest_command(
    targets: Annotated[
        list[str], typer.Argument(help="Files, folders, .jsonl batches, feeds, or http(s) URLs")
    ],
    db: DbOption = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            help="Fetch URLs on private, loopback or link-local addresses (never cloud "
            "metadata addresses)"
        ),
    ] = False,
    allow_network: Annotated[
        list[str] | None,
        typer.Option(help="Fetch URLs in this network only, e.g. 10.1.0.0/16 (repeatable)"),
    ] = None,
    max_chars: Annotated[int, typer.Option(help="Refuse longer texts")] = MAX_CHARS,
    engine: Annotated[
        Engine,
        typer.Option(
            help="Analyse here, or on a Ray cluster (whose workers store the reports too "
            "where the store is PostgreSQL)"
        ),
    ] = Engine.LOCAL,
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster address (e.g. ray://head:10001); none: a local Ray"),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Ray actors analysing at once, one core each")
    ] = 2,
    window: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=f"Documents analysed together, then stored (default: {BATCH} here, parsed "
            f"as one batch; {RAY_WINDOW} on Ray)",
        ),
    ] = None,
    outlet: Annotated[
        str | None, typer.Option(help="Who published the documents that do not say")
    ] = None,
    published_at: Annotated[
        datetime | None,
        typer.Option(help="Publication time (ISO 8601) of the documents that do not say"),
    ] = None,
    mode: ModeOption = Mode.FULL,
    quiet: QuietOption = False,
) -> None:
    """Analyse reports and add them to the store. Re-ingesting a text changes nothing; an
    edited document (same URL or file) becomes a new version. Bad documents are reported
    and skipped; the rest of the batch goes on."""
    from sitreps.fetch import FetchError, FetchPolicy
    from sitreps.ingest import (
        Analyser,
        analyse_locally,
        analyse_locally_fast,
        documents,
        ingest,
    )
    from sitreps.store import Store, database_url

    try:
        policy = FetchPolicy.allowing(allow_network or [], allow_private)
    except FetchError as error:
        raise typer.BadParameter(str(error), param_hint="--allow-network") from None
    _registry()
    analyser: Analyser = analyse_locally_fast if mode is Mode.FAST else analyse_locally
    chunk = BATCH
    if engine is Engine.RAY:
        from sitreps.distributed import RayAnalyser

        analyser, chunk = RayAnalyser(address, workers, mode, database_url(db)), RAY_WINDOW
    chunk = window or chunk
    store = Store.open(db)
    with _progress(quiet), progress.task("ingesting documents") as task:

        def advance(where: str) -> None:
            task.advance(note=where)

        found = documents(targets, policy, max_chars, outlet=outlet, published_at=published_at)
        summary = ingest(store, found, advance, analyser, chunk)
    store.close()
    counts = ", ".join(f"{n} {outcome}" for outcome, n in summary.counts.items())
    typer.echo(f"{counts}, {len(summary.failures)} failed", err=True)
    for failure in summary.failures:
        typer.echo(f"failed {failure.where}: {failure.reason}", err=True)
    if summary.failures:
        raise typer.Exit(EXIT_REFUSED)


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    from sitreps.store import parse_bbox

    if value is None:
        return None
    try:
        return parse_bbox(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--bbox") from None


@app.command("incidents", epilog=EXIT_CODES)
def incidents_command(
    db: DbOption = None,
    status: Annotated[Status | None, typer.Option(help="Only these")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Incidents across reports, with their corroboration and the evidence behind it."""
    from sitreps.store import Store

    incidents = Store.open(db).incidents(status.value if status else None)
    if as_json:
        for incident in incidents:
            sys.stdout.write(json.dumps(incident, default=str, ensure_ascii=False) + "\n")
        return
    console = Console()
    for incident in incidents:
        when = incident["first_date"] or "date unknown"
        where = incident["location"] or "place unknown"
        console.print(
            f"[bold]{incident['status']}[/bold]  {when}  {where}  {incident['sub_event_type']}"
            f"  ({incident['n_reports']} reports, {incident['n_outlets']} outlets, "
            f"{incident['n_independent_sources']} independent sources)",
            highlight=False,
        )
        evidence = incident["evidence"]
        for voice in evidence.get("voices", []):
            sources = "; ".join(voice["sources"])
            console.print(f"    {voice['group']}: {sources}", highlight=False, markup=False)
        for line in evidence.get("contradictions", []):
            console.print(f"    disagree: {line}", highlight=False, markup=False)
        for line in evidence.get("denials", []):
            console.print(f"    denied: {line}", highlight=False, markup=False)


CoarsenOption = Annotated[
    float | None,
    typer.Option(
        "--coarsen-km",
        min=0.001,
        max=1000,
        help="Move every point to the centre of a grid cell this many km wide, for "
        "publishing without exact positions",
    ),
]


@app.command("events", epilog=EXIT_CODES)
def events_command(
    db: DbOption = None,
    bbox: Annotated[
        str | None, typer.Option(help="west,south,east,north in degrees (lon,lat,lon,lat)")
    ] = None,
    since: Annotated[str | None, typer.Option(help="First event date, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Last event date, YYYY-MM-DD")] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help='ACLED event type, e.g. "Battles"')
    ] = None,
    status: Annotated[
        Status | None, typer.Option(help="Corroboration of the event's incident")
    ] = None,
    source_kind: Annotated[
        SourceKind | None,
        typer.Option(help="A kind of source along the event's attribution chains"),
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Words in the place, the actors or the sources")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many")] = None,
    coarsen_km: CoarsenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Events in the store as ACLED's rows (fatalities null where not stated), oldest
    first."""
    from sitreps import exports
    from sitreps.store import EventFilter, Store

    where = EventFilter(
        bbox=_bbox(bbox),
        since=_date_option(since, "--since"),
        until=_date_option(until, "--until"),
        event_type=event_type,
        status=status.value if status else None,
        source_kind=source_kind.value if source_kind else None,
        search=search,
        limit=limit,
    )
    rows = exports.records(
        Store.open(db).events(where), fatalities_as_zero=False, coarsen_km=coarsen_km
    )
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, default=str) + "\n")
        return
    table = Table(title=f"{len(rows)} event(s)", title_justify="left")
    for column in ("event_date", "event_type", "sub_event_type", "location", "admin1", "source"):
        table.add_column(column)
    table.add_column("fatalities", justify="right")
    for row in rows:
        cells = [row[c] for c in ("event_date", "event_type", "sub_event_type", "location",
                                   "admin1", "source", "fatalities")]  # fmt: skip
        table.add_row(*("—" if cell is None else str(cell) for cell in cells))
    Console().print(table)


class ExportFormat(StrEnum):
    ACLED_CSV = "acled-csv"
    GEOJSON = "geojson"
    JSONL = "jsonl"
    PARQUET = "parquet"


@app.command("export", epilog=EXIT_CODES)
def export_command(
    export_format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.ACLED_CSV,
    db: DbOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not stdout")
    ] = None,
    coarsen_km: CoarsenOption = None,
) -> None:
    """Export the store: ACLED's CSV or Parquet (same columns; fatalities 0 where not
    stated, tagged so), GeoJSON of located events, or whole analyses as JSONL (exact, as
    analysed: --coarsen-km does not apply)."""
    from sitreps import exports
    from sitreps.store import Store

    store = Store.open(db)
    if export_format is ExportFormat.PARQUET:
        if output is None:
            raise typer.BadParameter("Parquet is binary: give a file", param_hint="--output")
        exports.parquet(store.events(), output, coarsen_km)
        return
    if export_format is ExportFormat.ACLED_CSV:
        text = exports.acled_csv(store.events(), coarsen_km)
    elif export_format is ExportFormat.GEOJSON:
        text = exports.geojson(store.events(), coarsen_km)
    else:
        text = "".join(a.model_dump_json() + "\n" for a in store.analyses())
    _write(text, output)


@app.command("check", epilog=EXIT_CODES)
def check_command(db: DbOption = None) -> None:
    """Verify the store's integrity: the database file, its schema, every report against
    the hash of its text, analyses against their rows, versions, incidents and the change
    log. Prints what is wrong; changes nothing."""
    from sqlalchemy.exc import SQLAlchemyError

    from sitreps.store import Store
    from sitreps.store.integrity import check

    try:
        store = Store.open(db, migrate=False)
        problems = check(store)
        counts = store.counts() if not problems else {}
    except SQLAlchemyError as error:
        typer.echo(f"sitreps check: cannot read the store: {error}", err=True)
        raise typer.Exit(EXIT_DAMAGED) from None
    if problems:
        for problem in problems:
            typer.echo(f"problem: {problem}")
        typer.echo(f"sitreps check: {len(problems)} problem(s) found", err=True)
        raise typer.Exit(EXIT_DAMAGED)
    summary = ", ".join(f"{n} {table}" for table, n in counts.items())
    typer.echo(f"store is whole: {summary}")


class LogLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@app.command("serve", epilog=EXIT_CODES)
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8000,
    log_level: Annotated[
        LogLevel, typer.Option(help="info logs every request (never its headers or keys)")
    ] = LogLevel.WARNING,
) -> None:
    """Serve the HTTP API over a store (OpenAPI docs at /docs).

    Writes need a key from SITREPS_API_KEYS (comma-separated) or `api_keys` in the server
    config file ($SITREPS_SERVER_CONFIG, default server.yaml in the user config dir).
    """
    import uvicorn

    from sitreps.api import ServerSettings, SettingsError, create_app
    from sitreps.store import Store

    try:
        settings = ServerSettings.from_environment()
    except SettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    _registry()  # a broken source registry file is reported before serving, not on a write
    application = create_app(Store.open(db), settings)
    typer.echo(f"sitreps: serving at http://{host}:{port}/ (API docs at /docs)", err=True)
    if not settings.api_keys:
        typer.echo("sitreps: writes are disabled; set SITREPS_API_KEYS to allow them", err=True)
    uvicorn.run(application, host=host, port=port, log_level=log_level.value)


# The bench's default texts, from a checkout's root (where `make` runs): the GeoWebNews
# articles beside the project where they are, and the example reports.
BENCH_ARTICLES = Path("../shared/data/geo/geowebnews.jsonl")
EXAMPLE_REPORTS = Path("examples/reports/reports.jsonl")


@app.command("bench")
def bench_command(
    texts: Annotated[
        Path | None,
        typer.Option(
            help=f"JSONL with a 'text' per line to analyse; default: {BENCH_ARTICLES}, else "
            f"{EXAMPLE_REPORTS}"
        ),
    ] = None,
    reports: Annotated[
        Path,
        typer.Option(
            help="JSONL of reports whose event paragraphs are copied into the generated "
            "stores (the ingest and incident costs)"
        ),
    ] = EXAMPLE_REPORTS,
    documents: Annotated[int, typer.Option(min=4, help="How many texts to analyse")] = 200,
    events: Annotated[
        int, typer.Option(min=0, help="Events in the generated store for /events; 0 skips it")
    ] = 1_000_000,
    queries: Annotated[int, typer.Option(min=20, help="/events queries timed")] = 500,
    store_sizes: Annotated[
        list[int] | None,
        typer.Option(
            "--store-size",
            help="Reports in a store the ingest cost is timed on (repeatable; 0 skips it)",
        ),
    ] = None,
    added: Annotated[int, typer.Option(min=2, help="Reports added to each store, timed")] = 50,
    incident_sizes: Annotated[
        list[int] | None,
        typer.Option(
            "--incident-size",
            help="Reports in one incident that further reports join, timed (repeatable; "
            "0 skips it)",
        ),
    ] = None,
    ray_workers: Annotated[
        list[int] | None,
        typer.Option("--ray-workers", help="Ray worker counts (repeatable; 0 skips Ray)"),
    ] = None,
    work_dir: Annotated[
        Path, typer.Option(help="Where generated stores are kept between runs")
    ] = Path(".bench"),
    output: Annotated[
        Path | None, typer.Option(help="Write the report here (e.g. docs/performance.md)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    quiet: QuietOption = False,
) -> None:
    """Measure on this machine: analysis throughput on one core beside a bare spaCy parse,
    peak memory, /events latency on a generated store, the cost of adding a report as the
    store grows, and Ray with more workers. Each measurement runs in a fresh process;
    generated stores are kept in --work-dir for the next run."""
    from sitreps import bench

    source = texts or (BENCH_ARTICLES if BENCH_ARTICLES.exists() else EXAMPLE_REPORTS)
    _existing_file(source)
    sizes = [10_000, 100_000] if store_sizes is None else [s for s in store_sizes if s]
    grown = [3, 100] if incident_sizes is None else [s for s in incident_sizes if s]
    if (sizes or grown) and not reports.is_file():
        raise typer.BadParameter(
            f"{reports}: no such file; the ingest and incident costs copy its reports (pass "
            "--reports, or --store-size 0 --incident-size 0)",
            param_hint="--reports",
        )
    work_dir.mkdir(parents=True, exist_ok=True)

    # Each measurement runs minutes in a fresh process: a line as each begins is the progress.
    def say(line: str) -> None:
        if not quiet:
            stderr.print(line)

    say(f"analysing {documents} texts from {source} (one core)…")
    chosen = bench.read_texts(source, documents)
    analysis = bench.analysis_throughput(chosen)
    latency = None
    if events:
        say(f"timing /events on a store of {events:,} generated events…")
        latency = bench.events_latency(work_dir, events, queries)
    ingest = []
    for size in sizes:
        say(f"timing {added} reports added to a store of {size:,}…")
        ingest.append(bench.ingest_cost(work_dir, reports, size, added))
    incident = []
    for size in grown:
        say(f"timing {added} reports joining an incident of {size}…")
        incident.append(bench.incident_cost(work_dir, reports, size, added))
    ray = []
    if ray_workers != [0]:
        say("analysing on a local Ray…")
        ray = bench.ray_throughput(chosen, tuple(ray_workers or (1, 2)))
    results = bench.Results(
        command="sitreps " + " ".join(sys.argv[1:]),
        machine=bench.machine(),
        texts=f"{len(chosen)} texts of {source.name}",
        analysis=analysis,
        latency=latency,
        ingest=ingest,
        incident=incident,
        ray=ray,
    )
    if as_json:
        sys.stdout.write(json.dumps(results.as_dict()) + "\n")
    else:
        Console().print(bench.report(results), highlight=False, soft_wrap=True)
    if output is not None:
        output.write_text(bench.report(results), encoding="utf-8")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of an analysis (the output of `sitreps analyze --format json`)."""
    schema: dict[str, Any] = json_schema()
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")


def main() -> None:
    """Entry point: never show a traceback for a bug; say what happened and exit 1."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:
        stderr.print(f"sitreps: internal error: {type(error).__name__}: {error}", highlight=False)
        stderr.print("Please report it with the input that caused it.", highlight=False)
        raise SystemExit(EXIT_INTERNAL) from None
