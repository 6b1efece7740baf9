"""Reading reports from files, folders, JSONL batches, HTML pages, RSS/Atom feeds and URLs.

`documents(targets)` yields one `Document` per report found, or a `Failure` saying where
and why one could not be read; it never raises for bad input, so one bad document never
stops a batch. HTML (a page or a feed entry) goes through trafilatura, which keeps the
article text and drops scripts, styles and navigation. `ingest` analyses each document
and adds it to a store, skipping texts the store already has before analysing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from time import mktime

import feedparser
import trafilatura
from lxml import html as lxml_html
from pydantic import ValidationError
from trafilatura.settings import Document as ExtractedPage

from sitreps.embeddings import Vectors
from sitreps.fetch import FetchError, FetchPolicy, fetch
from sitreps.incidents import event_vectors
from sitreps.inputs import MAX_CHARS, InputError, ReportRecord, decode
from sitreps.model import Analysis, AnalysisWarning, Mode, content_id
from sitreps.pipeline import BATCH, analyze_many
from sitreps.store import Outcome, Store

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | {".jsonl"}
MAX_FILE_BYTES = 20_000_000
"""The largest text, HTML or feed file read (JSONL batches stream, a line at a time)."""
MAX_FIELDS_BYTES = 64_000  # a JSONL line's title, outlet, url and date beside its text


@dataclass
class Document:
    record: ReportRecord
    origin: str  # where it came from: "reports/a.txt", "batch.jsonl:3", a URL
    document_key: str | None  # what identifies the document across edits: its URL or file
    warnings: list[AnalysisWarning] = field(default_factory=list)


@dataclass
class Failure:
    where: str
    reason: str


Found = Document | Failure


def _text_document(data: bytes, origin: str, key: str | None, max_chars: int) -> Found:
    try:
        decoded = decode(data, max_chars=max_chars)
    except InputError as error:
        return Failure(origin, str(error))
    return Document(ReportRecord(text=decoded.text), origin, key, decoded.warnings)


def _html_document(
    data: bytes, origin: str, key: str | None, url: str | None, max_chars: int
) -> Found:
    extracted = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, url=url
    )
    if not isinstance(extracted, ExtractedPage):
        return Failure(origin, "no article text found in the HTML")
    text = extracted.text or ""
    if not text.strip():
        return Failure(origin, "no article text found in the HTML")
    if len(text) > max_chars:
        return Failure(origin, f"article text has {len(text):,} characters, over {max_chars:,}")
    record = ReportRecord(
        text=text,
        title=extracted.title,
        outlet=extracted.sitename or extracted.hostname,
        url=url or extracted.url or None,
        published_at=_date(extracted.date),
    )
    return Document(record, origin, key or record.url, [])


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _plain(fragment: str) -> str:
    """Text of an HTML fragment (a feed entry's summary); scripts and styles dropped."""
    if "<" not in fragment:
        return fragment.strip()
    tree = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in tree.xpath("//script|//style"):
        element.drop_tree()
    return " ".join(tree.text_content().split())


def _feed_documents(data: bytes, origin: str, max_chars: int) -> Iterator[Found]:
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = str(feed.get("bozo_exception") or "no entries")
        yield Failure(origin, f"not a readable RSS/Atom feed: {reason}")
        return
    outlet = feed.feed.get("title")
    for number, entry in enumerate(feed.entries, start=1):
        where = f"{origin}#{entry.get('id') or entry.get('link') or number}"
        bodies = [c.get("value", "") for c in entry.get("content", [])] or [
            entry.get("summary", "")
        ]
        text = "\n\n".join(_plain(body) for body in bodies if body).strip()
        if not text:
            yield Failure(where, "feed entry has no text")
            continue
        if len(text) > max_chars:
            yield Failure(where, f"entry has {len(text):,} characters, over {max_chars:,}")
            continue
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        record = ReportRecord(
            text=text,
            title=entry.get("title"),
            outlet=outlet,
            url=entry.get("link"),
            published_at=datetime.fromtimestamp(mktime(parsed), UTC) if parsed else None,
        )
        yield Document(record, where, record.url or entry.get("id"), [])


def _jsonl_documents(lines: Iterable[bytes], origin: str, max_chars: int) -> Iterator[Found]:
    """Reports of a JSONL batch, read a line at a time so that batches of any size stream."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        if len(line) > 4 * max_chars + MAX_FIELDS_BYTES:
            reason = f"line has {len(line):,} bytes, too long for {max_chars:,} characters"
            yield Failure(where, reason)
            continue
        try:
            record = ReportRecord.model_validate_json(line)
        except ValidationError as error:
            first = error.errors()[0]
            yield Failure(where, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
            continue
        if not record.text.strip():
            yield Failure(where, "text is empty")
        elif len(record.text) > max_chars:
            yield Failure(where, f"text has {len(record.text):,} characters, over {max_chars:,}")
        else:
            yield Document(record, where, record.url, [])


def _sniff(data: bytes) -> str:
    head = data[:2048].lstrip().lower()
    if any(marker in head for marker in (b"<rss", b"<feed", b"<rdf")):
        return "feed"
    return "html" if head.startswith(b"<") else "text"  # XHTML, HTML, a fragment


def _from_bytes(
    data: bytes, origin: str, key: str | None, kind: str, max_chars: int
) -> Iterator[Found]:
    if kind == "feed":
        yield from _feed_documents(data, origin, max_chars)
    elif kind == "html":
        yield _html_document(data, origin, key, None, max_chars)
    else:
        yield _text_document(data, origin, key, max_chars)


def _kind_of(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in FEED_SUFFIXES:
        return "feed" if _sniff(data) == "feed" else "html"
    return "text" if suffix in TEXT_SUFFIXES else _sniff(data)


def _files(folder: Path) -> Iterator[Path]:
    """A folder's report files, recursively, in a stable order; hidden ones left out."""
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden and path.suffix.lower() in KNOWN_SUFFIXES:
            yield path


def _from_url(url: str, policy: FetchPolicy, max_chars: int) -> Iterator[Found]:
    try:
        fetched = fetch(url, policy=policy)
    except FetchError as error:
        yield Failure(url, str(error))
        return
    if fetched.content_type in {"text/html", "application/xhtml+xml"}:
        yield _html_document(fetched.body, url, fetched.url, fetched.url, max_chars)
    elif "xml" in fetched.content_type or "feed" in fetched.content_type:
        yield from _feed_documents(fetched.body, url, max_chars)
    else:
        found = _text_document(fetched.body, url, fetched.url, max_chars)
        if isinstance(found, Document):
            found.record.url = fetched.url
        yield found


def _from_file(file: Path, max_chars: int) -> Iterator[Found]:
    try:
        if file.suffix.lower() == ".jsonl":
            with file.open("rb") as lines:
                yield from _jsonl_documents(lines, str(file), max_chars)
            return
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            reason = f"file has {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}"
            yield Failure(str(file), reason)
            return
        data = file.read_bytes()
    except OSError as error:
        yield Failure(str(file), f"cannot read: {error.strerror}")
        return
    key = str(file.resolve())
    yield from _from_bytes(data, str(file), key, _kind_of(file, data), max_chars)


def _guarded(where: str, found: Iterator[Found]) -> Iterator[Found]:
    """The documents of one target; a parser that breaks on it ends that target, not the batch."""
    try:
        yield from found
    except Exception as error:  # a library bug on hostile input must not stop the batch
        yield Failure(where, f"cannot be read: {type(error).__name__}: {error}")


def documents(
    targets: list[str],
    policy: FetchPolicy | None = None,
    max_chars: int = MAX_CHARS,
    outlet: str | None = None,
    published_at: datetime | None = None,
) -> Iterator[Found]:
    """The documents of files, folders, batches, feeds and URLs; `outlet` and
    `published_at` stand for those a document does not give."""
    for found in _documents(targets, policy or FetchPolicy(), max_chars):
        if isinstance(found, Document):
            found.record = found.record.with_defaults(outlet, published_at)
        yield found


def _documents(targets: list[str], policy: FetchPolicy, max_chars: int) -> Iterator[Found]:
    for target in targets:
        if target.startswith(("http://", "https://")):
            yield from _guarded(target, _from_url(target, policy, max_chars))
            continue
        path = Path(target)
        if path.is_dir():
            paths = list(_files(path))
        elif path.is_file():
            paths = [path]
        else:
            yield Failure(target, "no such file, folder or URL")
            continue
        for file in paths:
            yield from _guarded(str(file), _from_file(file, max_chars))


@dataclass(frozen=True)
class Stored:
    origin: str
    report_id: str
    outcome: Outcome


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    failures: list[Failure] = field(default_factory=list)
    stored: list[Stored] = field(default_factory=list)

    def record(self, origin: str, report_id: str, outcome: Outcome) -> None:
        self.counts[outcome.value] += 1
        self.stored.append(Stored(origin, report_id, outcome))


@dataclass
class Prepared:
    """A report ready to store: its analysis, and its events' embeddings for matching."""

    analysis: Analysis
    vectors: list[Vectors]


@dataclass(frozen=True)
class Committed:
    """A report stored already, by whoever analysed it (a cluster's workers)."""

    report_id: str
    outcome: Outcome


Analysed = Prepared | Committed | str  # ready to store, stored, or why it is not
Analyser = Callable[[list[Document]], Iterator[Analysed]]
"""Analyses documents in order: locally (`analyse_locally`) or on a Ray cluster
(`sitreps.distributed.RayAnalyser`, whose workers may store them too); `ingest` is the
same either way."""


def analysed_many(records: list[ReportRecord], mode: Mode = Mode.FULL) -> Iterator[Analysed]:
    """Records analysed in order (a batch's texts parsed together) with their events
    embedded, or why each could not be: a bad document, or a bug on one, must not stop the
    batch. Embedding here, not when storing, lets a cluster's workers do it."""
    for result in analyze_many(records, mode=mode):
        if isinstance(result, InputError):
            yield str(result)
        elif isinstance(result, Exception):
            yield _internal(result)
        else:
            try:
                vectors = event_vectors(result)
            except Exception as error:
                yield _internal(error)
            else:
                yield Prepared(result, vectors)


def _internal(error: Exception) -> str:
    return f"internal error, please report it: {type(error).__name__}: {error}"


def analysed(record: ReportRecord, mode: Mode = Mode.FULL) -> Analysed:
    """One record analysed (see `analysed_many`)."""
    return next(analysed_many([record], mode))


def analyse_locally(batch: list[Document]) -> Iterator[Analysed]:
    return analysed_many([document.record for document in batch])


def analyse_locally_fast(batch: list[Document]) -> Iterator[Analysed]:
    return analysed_many([document.record for document in batch], Mode.FAST)


def ingest(
    store: Store,
    found: Iterator[Found],
    progress: Callable[[str], None] = lambda _: None,
    analyser: Analyser = analyse_locally,
    window: int = BATCH,
) -> Summary:
    """Analyse and store every document; a document that fails is recorded, not raised.

    Documents are taken `window` at a time: those the store lacks are analysed together
    (locally a batch the parser reads together; a cluster needs many to keep its workers
    busy), then stored one by one in the order they came, each in its own transaction
    (here, or by the cluster's workers as they go)."""
    summary = Summary()
    while chunk := list(islice(found, window)):
        todo: list[Document] = []
        for item in chunk:
            if isinstance(item, Failure):
                summary.failures.append(item)
                progress(item.where)
            elif store.has(report_id := content_id(item.record.text)):
                summary.record(item.origin, report_id, Outcome.UNCHANGED)
                progress(item.origin)
            else:
                todo.append(item)
        for item, result in zip(todo, analyser(todo), strict=True):
            if isinstance(result, Prepared):
                result = commit(store, item, result)
            if isinstance(result, str):
                summary.failures.append(Failure(item.origin, result))
            else:
                summary.record(item.origin, result.report_id, result.outcome)
            progress(item.origin)
    return summary


def commit(store: Store, item: Document, result: Prepared) -> Committed | str:
    """Store an analysed document, or say why it could not be stored."""
    analysis = result.analysis
    analysis.warnings[:0] = item.warnings
    try:
        outcome = store.add(analysis, item.document_key, item.origin, result.vectors)
    except Exception as error:  # the transaction is rolled back: the store is as it was
        return f"could not be stored: {type(error).__name__}: {error}"[:500]
    return Committed(analysis.report.id, outcome)
