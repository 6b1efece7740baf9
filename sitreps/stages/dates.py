"""Stage: each event's date interval, ACLED time_precision and time of day.

Dates come from the text ("on Tuesday", "yesterday", "3 November"), resolved by dateparser
against the publication date. A report without one in its metadata may carry it in its
dateline ("KYIV, 8 May 2024 —"); without either a relative date cannot be resolved: the
event's date stays unknown and is flagged, never invented.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser
from spacy.tokens import Span

from sitreps import lexicons
from sitreps.state import DocumentState, parsed_text, stage

_YEAR = re.compile(r"\b(1[89]|20)\d{2}\b")
PRECISION_OF_PERIOD = {"time": 1, "day": 1, "week": 2, "month": 3, "year": 3}
# A dateline: an optional place in capitals or title case and a comma, the date, then a dash.
_DATELINE_PLACE = re.compile(r"\s*(?:[A-Z][\w.' -]{0,40},\s*)?")


@lru_cache(maxsize=64)  # one a report (its publication time), not one a date
def _parser(base: datetime) -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def _dateline(state: DocumentState) -> Span | None:
    """The full date (year included) that opens the first sentence: "KYIV, 8 May 2024 —"."""
    first = next(state.parsed.sents, None)
    if first is None:
        return None
    text = parsed_text(state.parsed)
    for entity in first.ents:
        before = text[first.start_char : entity.start_char]
        after = text[entity.end_char : entity.end_char + 3].lstrip()
        if (
            entity.label_ == "DATE"
            and _DATELINE_PLACE.fullmatch(before)
            and after[:1] in {"—", "–", "-", "("}
            and _YEAR.search(entity.text)
        ):
            return entity
    return None


def _day(text: str) -> datetime | None:
    data = _parser(datetime(2000, 1, 1)).get_date_data(text)
    return data.date_obj if data.date_obj is not None and data.period == "day" else None


@stage(
    requires=(
        "doc",
        "term_matches",
        "analysis.report",
        "analysis.events",
        "event_sentences",
    ),
    assigns=(
        "analysis.events",
        "analysis.report",
        "analysis.warnings",
    ),
)
def run(state: DocumentState) -> None:
    doc = state.parsed
    report = state.analysis.report
    dateline = _dateline(state)
    if report.published_at is None and dateline is not None and (issued := _day(dateline.text)):
        report.published_at = issued
        state.warn(
            "published_from_dateline", f"publication date {issued:%Y-%m-%d} from the dateline"
        )
    published = report.published_at
    index_of = {sentence.start: number for number, sentence in enumerate(doc.sents)}

    def sentences_with(label: str) -> set[int]:
        return {index_of[doc[m.start].sent.start] for m in state.term_matches[f"dates.{label}"]}

    dated: dict[int, list[str]] = defaultdict(list)  # sentence: its dates and times, in order
    for entity in doc.ents:
        if entity.label_ in {"DATE", "TIME"} and entity != dateline:
            dated[index_of[entity.sent.start]].append(entity.text)
    times = [(kind, sentences_with(kind)) for kind in lexicons.load("time")["time_of_day"]]
    overnight_sentences = sentences_with("overnight")
    report_time = next((kind for kind, found in times if found), None)
    for event in state.analysis.events:
        indices = set(state.event_sentences[event.id])
        event.time_of_day = next((kind for kind, found in times if found & indices), report_time)
        date_texts = [text for i in sorted(indices) for text in dated[i]]
        resolved = _resolve(date_texts, published)
        if resolved is not None:
            event.date_start, event.date_end, event.time_precision = resolved
        elif published is None:
            state.warn(
                "date_unknown",
                f"event {event.id}: the report has no publication date and the text no "
                "absolute date, so the event date is unknown",
            )
        elif overnight_sentences & indices or (
            event.time_of_day == "night" and report_time == "night"
        ):
            day = published.date()
            event.date_start, event.date_end, event.time_precision = day - timedelta(days=1), day, 1
        else:
            event.date_start = event.date_end = published.date()
            event.time_precision = 2
            state.warn(
                "date_assumed",
                f"event {event.id}: no date in the text; dated to the publication day, "
                "time_precision 2",
            )


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(text: str, published: datetime) -> date | None:
    """ "on Friday" in a report is the last Friday on or before publication day."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    named = [WEEKDAYS.index(w) for w in words if w in WEEKDAYS]
    if len(named) != 1 or words & {"last", "next", "week", "ago"}:
        return None
    return published.date() - timedelta(days=(published.weekday() - named[0]) % 7)


def _resolve(texts: list[str], published: datetime | None) -> tuple[date, date, int] | None:
    for text in texts:
        weekday = _weekday(text, published) if published else None
        if weekday is not None:
            return weekday, weekday, 1
        if published is None and not _YEAR.search(text):
            continue  # "Tuesday" or "3 May" mean nothing without a publication date
        parser = _parser(published or datetime(2000, 1, 1))
        data = parser.get_date_data(text)
        if data.date_obj is None:
            continue
        day = data.date_obj.date()
        if published is not None and day > published.date():
            continue
        precision = PRECISION_OF_PERIOD.get(data.period or "day", 3)
        if data.period == "month":  # "in March 2023": the month, not its first day
            return day.replace(day=1), _month_end(day), precision
        if data.period == "year":  # "in 2019": the year, not 1 January
            return date(day.year, 1, 1), date(day.year, 12, 31), precision
        return day, day, precision
    return None


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
