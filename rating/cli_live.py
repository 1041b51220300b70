"""The live progress display on a terminal (rich): the step under way with its bar, count and
time; each finished step stays above it as one line. Imported only when stderr is a terminal."""

from __future__ import annotations

from types import TracebackType
from typing import TextIO, cast

from rich.console import Console
from rich.progress import BarColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars

from rating.progress import Progress, Step


def terminal(stream: TextIO) -> Console:
    return Console(file=cast(TextIO, BestEffortStream(stream)))


class BestEffortStream:
    """The terminal as the display writes to it: once a write fails (the terminal closed,
    stderr piped into a `head` that has exited) every later write is dropped, so that the work
    goes on without its display. Rich would otherwise exit the program on a broken pipe, from
    its refresh thread as well as from the work's own thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.silenced = False
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        if not self.silenced:
            try:
                self.stream.write(text)
            except OSError:  # BrokenPipeError included
                self.silenced = True
        return len(text)

    def flush(self) -> None:
        if not self.silenced:
            try:
                self.stream.flush()
            except OSError:
                self.silenced = True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


class LiveDisplay(Progress):
    """Shown while its `with` block runs; gone (but for the finished steps' lines) after it."""

    def __init__(self, console: Console, verbose: bool = False) -> None:
        self.console = console
        self.verbose = verbose
        self.bars = Bars(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                         TextColumn("{task.fields[counter]}"), TimeElapsedColumn(),
                         console=console, transient=True)
        self.tasks: dict[int, TaskID] = {}  # by id() of the step

    def __enter__(self) -> LiveDisplay:
        self.bars.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.bars.stop()

    def started(self, step: Step) -> None:
        self.tasks[id(step)] = self.bars.add_task(step.name, total=step.total,
                                                  counter=_counter(step))

    def advanced(self, step: Step) -> None:
        self.bars.update(self.tasks[id(step)], completed=step.done, counter=_counter(step))

    def detail(self, step: Step, text: str) -> None:
        if self.verbose:
            self.console.print(f"  {step.name}: {text}", markup=False, highlight=False,
                               style="dim")

    def finished(self, step: Step, seconds: float) -> None:
        self.bars.remove_task(self.tasks.pop(id(step)))
        self.console.print(f"✓ {step.line(seconds)}", markup=False, highlight=False)

    def abandoned(self, step: Step) -> None:
        self.bars.remove_task(self.tasks.pop(id(step)))


def _counter(step: Step) -> str:
    """`3 of 12 files`, or nothing for a step that does not count its units."""
    return "" if step.total is None else f"{step.done:,} of {step.total:,} {step.unit}".rstrip()
