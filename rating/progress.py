"""What long work reports while it runs: the steps of an ingestion, a rating, a finance run, a
posting or a sample, each with what it counted.

The engine wraps each step in `progress.step(...)`, advances it per file or per batch (never per
row: counts come from DuckDB or from a batch's size), and says what the step came to with
`step.report(...)`. The default, SILENT, shows nothing, so a caller (a test) that passes no
display sees no change; the command line passes one (rating.cli_progress: a live display on a
terminal, plain lines otherwise), the Dagster assets LoggedSteps (a line per step in the run's
log).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal


class Step:
    """One step under way: how far it is (`done` of `total` `unit`) and, once it ends, what it
    came to (`outcome`)."""

    def __init__(self, progress: Progress, name: str, total: int | None, unit: str) -> None:
        self.name = name
        self.total = total
        self.unit = unit
        self.done = 0
        self.outcome = ""
        self._progress = progress

    def advance(self, count: int = 1) -> None:
        """`count` more of the step's units done (a file, a batch of invoices)."""
        self.done += count
        self._progress.advanced(self)

    def report(self, outcome: str) -> None:
        """What the step came to, shown when it ends (e.g. "5 new of 40 files, 1,200 rows")."""
        self.outcome = outcome

    def detail(self, text: str) -> None:
        """A finer line within the step (a file, a batch), shown only when asked for (-v)."""
        self._progress.detail(self, text)

    def line(self, seconds: float) -> str:
        """`pricing: 748 rated lines (0.12 s)`: the step once it ended, after `seconds`."""
        outcome = f": {self.outcome}" if self.outcome else ""
        return f"{self.name}{outcome} ({seconds:.2f} s)"


class Progress:
    """Reports nothing: the engine's default. A display overrides the hooks below."""

    @contextmanager
    def step(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        """A step of the work; it is reported finished only when its block ends without an
        error (the error itself says what went wrong)."""
        step = Step(self, name, total, unit)
        started = time.perf_counter()
        self.started(step)
        try:
            yield step
        except BaseException:
            self.abandoned(step)
            raise
        self.finished(step, time.perf_counter() - started)

    def started(self, step: Step) -> None:
        """A step began."""

    def advanced(self, step: Step) -> None:
        """A step did more of its units."""

    def detail(self, step: Step, text: str) -> None:
        """A finer line within a step."""

    def finished(self, step: Step, seconds: float) -> None:
        """A step ended, after `seconds`."""

    def abandoned(self, step: Step) -> None:
        """A step ended in an error."""


SILENT = Progress()
"""Shows nothing: what the engine reports to when no display is given."""


class LoggedSteps(Progress):
    """A line per finished step through `log` (a Dagster asset's context.log.info), so that a
    run's log says what each step did and how long it took."""

    def __init__(self, log: Callable[[str], object]) -> None:
        self.log = log

    def finished(self, step: Step, seconds: float) -> None:
        self.log(step.line(seconds))


def count(number: int, plural: str) -> str:
    """`1,234,567 rows`, `1 row`: a count with thousands separators and its unit (given in
    the plural, which ends in s)."""
    return f"{number:,} {plural[:-1] if number == 1 and plural.endswith('s') else plural}"


def money(amount: Decimal, currency: str) -> str:
    """`293,272.12 CAD`: an exact amount, its scale kept, with thousands separators."""
    return f"{amount:,} {currency}"


def amounts(by_currency: tuple[tuple[str, Decimal], ...]) -> str:
    """The amounts of several currencies, each with its currency (`0.00` when there is none)."""
    return " + ".join(money(amount, currency) for currency, amount in by_currency) or "0.00"


def total_text(by_currency: tuple[tuple[str, Decimal], ...], previous: Decimal | None) -> str:
    """A period's total in each currency, and what it came to before when it was rated before
    (in its currency when the period has one; the guard compares the sum)."""
    text = amounts(by_currency)
    if previous is None:
        return text
    currencies = [currency for currency, _ in by_currency]
    was = (money(previous, currencies[0]) if len(currencies) == 1
           else f"{previous:,} in all currencies")
    return f"{text} (was {was})"
