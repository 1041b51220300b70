"""Progress shown while long work runs (rating.progress, rating.cli_progress, rating.cli_live):
plain lines off a terminal, a live display on one, nothing with -q, each file with -v."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from rich.console import Console

from rating.cli_args import build_parser
from rating.cli_live import LiveDisplay
from rating.cli_progress import PlainLines, shown
from rating.progress import SILENT, Progress, amounts, count, money, total_text

pytestmark = pytest.mark.fast


def _work(progress: Progress) -> None:
    """Two steps as the engine reports them: one counting files, one with only an outcome."""
    with progress.step("reading new files", total=3, unit="files") as step:
        for name in ("a.parquet", "b.parquet", "c.parquet"):
            step.advance()
            step.detail(f"{name}: 1,000 rows")
        step.report("3 files, 3,000 rows")
    with progress.step("pricing") as step:
        step.report("12 rated lines")


def test_plain_lines_name_each_step_with_its_counts_and_seconds() -> None:
    stream = io.StringIO()
    _work(PlainLines(stream))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\d\d:\d\d:\d\d reading new files: 3 files, 3,000 rows \(\d+\.\d\d s\)",
                        lines[0])
    assert re.fullmatch(r"\d\d:\d\d:\d\d pricing: 12 rated lines \(\d+\.\d\d s\)", lines[1])


def test_verbose_plain_lines_add_each_file() -> None:
    stream = io.StringIO()
    _work(PlainLines(stream, verbose=True))
    text = stream.getvalue()
    assert len(text.splitlines()) == 5
    assert "  reading new files: b.parquet: 1,000 rows\n" in text


def test_a_step_that_fails_prints_no_line_of_its_own() -> None:
    stream = io.StringIO()
    progress = PlainLines(stream)
    with pytest.raises(ValueError), progress.step("guard"):
        raise ValueError("stopped")
    assert stream.getvalue() == ""


def test_quiet_shows_nothing_and_a_file_gets_plain_lines() -> None:
    with shown(quiet=True, stream=io.StringIO()) as progress:
        assert progress is SILENT
    with shown(stream=io.StringIO()) as progress:
        assert isinstance(progress, PlainLines)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_the_live_display() -> None:
    with shown(verbose=True, stream=_Terminal()) as progress:
        assert isinstance(progress, LiveDisplay)


def test_the_live_display_runs_on_a_terminal_and_leaves_each_finished_step() -> None:
    screen = io.StringIO()
    with LiveDisplay(Console(file=screen, force_terminal=True, width=100),
                     verbose=True) as live:
        _work(live)
        with pytest.raises(RuntimeError), live.step("guard", total=2, unit="checks"):
            raise RuntimeError("stopped")
    text = screen.getvalue()
    assert "✓ reading new files: 3 files, 3,000 rows (" in text
    assert "✓ pricing: 12 rated lines (" in text
    assert "c.parquet: 1,000 rows" in text
    assert "✓ guard" not in text
    assert live.tasks == {}


def test_quiet_and_verbose_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser(None)
    assert parser.parse_args(["sample", "--out", "x", "-q"]).quiet
    assert parser.parse_args(["post", "--warehouse", "w", "--period", "2026-10",
                              "--verbose"]).verbose
    with pytest.raises(SystemExit):
        parser.parse_args(["sample", "--out", "x", "-q", "-v"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_counts_carry_thousands_separators_and_their_unit() -> None:
    assert count(1234567, "rows") == "1,234,567 rows"
    assert count(1, "rated lines") == "1 rated line"
    assert count(0, "files") == "0 files"


def test_amounts_carry_thousands_separators_and_their_currency() -> None:
    assert money(Decimal("293272.12"), "CAD") == "293,272.12 CAD"
    assert amounts((("CAD", Decimal("1234.50")), ("USD", Decimal("10.00")))) \
        == "1,234.50 CAD + 10.00 USD"
    assert amounts(()) == "0.00"
    assert total_text((("CAD", Decimal("1200.00")),), Decimal("1000.00")) \
        == "1,200.00 CAD (was 1,000.00 CAD)"
    assert total_text((("CAD", Decimal("1.00")), ("USD", Decimal("2.00"))), Decimal("3000.00")) \
        == "1.00 CAD + 2.00 USD (was 3,000.00 in all currencies)"


class _ClosedPipe(io.StringIO):
    """stderr piped into a `head` that has exited: every write fails."""

    def __init__(self, terminal: bool = False) -> None:
        super().__init__()
        self.terminal = terminal
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return self.terminal


def test_plain_lines_go_silent_when_stderr_is_a_closed_pipe_and_the_work_goes_on() -> None:
    pipe = _ClosedPipe()
    with shown(verbose=True, stream=pipe) as progress:
        _work(progress)
        _work(progress)
    assert pipe.writes == 1


def test_the_live_display_goes_silent_when_its_terminal_breaks_and_the_work_goes_on() -> None:
    pipe = _ClosedPipe(terminal=True)
    finished = False
    with shown(verbose=True, stream=pipe) as progress:
        assert isinstance(progress, LiveDisplay)
        _work(progress)
        _work(progress)
        finished = True
    assert finished
    assert pipe.writes == 1
