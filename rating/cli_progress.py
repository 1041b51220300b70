"""How the command line shows the engine's progress (rating.progress), always on stderr so that
stdout keeps the results scripts read: on a terminal a live display (rating.cli_live), otherwise
plain timestamped lines, one per step with its counts and seconds; `-q` shows none of it, `-v`
adds each file or batch."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rating.progress import SILENT, Progress, Step


class PlainLines(Progress):
    """A line per finished step (and with `verbose` per file or batch), each timestamped.

    Showing progress is best-effort: once a line cannot be written (stderr piped into a `head`
    that has exited, a full disk) the display goes silent for the rest of the run, because a
    rating or a posting half done for want of a progress line is far worse than no lines."""

    def __init__(self, stream: TextIO, verbose: bool = False) -> None:
        self.stream = stream
        self.verbose = verbose
        self.silenced = False

    def detail(self, step: Step, text: str) -> None:
        if self.verbose:
            self._line(f"  {step.name}: {text}")

    def finished(self, step: Step, seconds: float) -> None:
        self._line(step.line(seconds))

    def _line(self, text: str) -> None:
        if self.silenced:
            return
        try:
            print(f"{dt.datetime.now():%H:%M:%S} {text}", file=self.stream, flush=True)
        except OSError:  # BrokenPipeError included
            self.silenced = True


@contextmanager
def shown(quiet: bool = False, verbose: bool = False,
          stream: TextIO | None = None) -> Iterator[Progress]:
    """The display for a command: none with `quiet`, live on a terminal, else plain lines."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        yield SILENT
    elif stream.isatty():
        from rating.cli_live import LiveDisplay, terminal

        with LiveDisplay(terminal(stream), verbose) as live:
            yield live
    else:
        yield PlainLines(stream, verbose)
