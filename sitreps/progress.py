"""Progress of long work. Library code says what it is doing (`track`, `task`); whoever runs
it decides how that shows: the CLI draws a bar on a terminal, writes a line to stderr every
few seconds when stderr is a file or a pipe (a batch written to a log is not silent for
minutes), and nothing with --quiet. A library user sees nothing unless they ask.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, TextIO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")
LINE_INTERVAL_SECONDS = 10.0


class Task(Protocol):
    def advance(self, steps: int = 1, note: str = "") -> None: ...


class _Display(Protocol):
    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Task]: ...


class _Silent:
    def advance(self, steps: int = 1, note: str = "") -> None:
        pass


_display: ContextVar[_Display | None] = ContextVar("sitreps_progress", default=None)
_running: ContextVar[bool] = ContextVar("sitreps_progress_running", default=False)


@contextmanager
def task(label: str, total: int | None = None) -> Iterator[Task]:
    """A piece of work of `total` steps (None: unknown), shown while it runs. Work inside
    a task that is shown is part of it and is not shown on its own (the sentences of one
    report being embedded while a batch is ingested)."""
    display = _display.get()
    if display is None or _running.get():
        yield _Silent()
        return
    token = _running.set(True)
    try:
        with display.task(label, total) as running:
            yield running
    finally:
        _running.reset(token)


def track(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """The items, one step each."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    with task(label, total) as running:
        for item in items:
            yield item
            running.advance()


class _Bar:
    """rich's progress bar, for a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Task]:
        columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        if total is not None:
            columns.append(TimeRemainingColumn())
        columns.append(TextColumn("{task.description}"))
        with Progress(*columns, console=self.console, transient=True) as bar:
            yield _BarTask(bar, bar.add_task("", total=total))


class _BarTask:
    def __init__(self, bar: Progress, task_id: TaskID) -> None:
        self.bar, self.task_id = bar, task_id

    def advance(self, steps: int = 1, note: str = "") -> None:
        self.bar.update(self.task_id, advance=steps, description=note[-60:])


class _Lines:
    """A line every `interval` seconds and one at the end, for a log file or a pipe."""

    def __init__(self, stream: TextIO, interval: float) -> None:
        self.stream, self.interval = stream, interval

    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Task]:
        running = _LineTask(self.stream, self.interval, label, total)
        yield running
        running.write(final=True)


class _LineTask:
    def __init__(self, stream: TextIO, interval: float, label: str, total: int | None) -> None:
        self.stream, self.interval, self.label, self.total = stream, interval, label, total
        self.done = 0
        self.started = self.last = time.monotonic()

    def advance(self, steps: int = 1, note: str = "") -> None:
        self.done += steps
        if time.monotonic() - self.last >= self.interval:
            self.write(final=False)

    def write(self, final: bool) -> None:
        self.last = time.monotonic()
        elapsed = self.last - self.started
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        share = f" ({100 * self.done / self.total:.0f} %)" if self.total else ""
        rate = f", {self.done / elapsed:.1f}/s" if elapsed > 0 else ""
        state = "done" if final else "so far"
        self.stream.write(
            f"sitreps: {self.label} {count}{share} {state}{rate}, {elapsed:.0f} s elapsed\n"
        )
        self.stream.flush()


@contextmanager
def shown(quiet: bool = False, interval: float = LINE_INTERVAL_SECONDS) -> Iterator[None]:
    """Show the progress of what runs inside: a bar on a terminal, lines on stderr
    otherwise, nothing when `quiet`."""
    display: _Display | None = None
    if not quiet:
        console = Console(stderr=True)
        display = _Bar(console) if console.is_terminal else _Lines(sys.stderr, interval)
    token = _display.set(display)
    try:
        yield
    finally:
        _display.reset(token)
