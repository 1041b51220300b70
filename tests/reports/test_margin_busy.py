"""`report margin` while another process writes the warehouse: it waits like the writers do,
then names that process and what to do (a real second process holds the file)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rating import warehouse
from tests.reports.test_margin_notes import annotate, report
from tests.reports.test_margin_report import build_warehouse
from tests.support.holder import hold_open


@pytest.fixture
def margin_wh(tmp_path: Path) -> Path:
    return annotate(build_warehouse(tmp_path / "w.duckdb"))


@pytest.fixture
def writing(margin_wh: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the warehouse for writing for the test's length."""
    holder = hold_open(margin_wh, read_only=False)
    yield holder
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


@pytest.mark.slow
def test_report_margin_beside_a_writer_names_it_and_what_to_do_in_one_line(
        margin_wh: Path, writing: subprocess.Popen[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(warehouse, "READER_WAIT_SECONDS", 0.5)
    started = time.monotonic()
    code, err = report(margin_wh, tmp_path, capsys)
    assert time.monotonic() - started >= 0.4  # it waited before giving up
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("fusion-rating: no margin report: ")
    assert f"open for writing in process {writing.pid} (" in err
    assert "run this again when it has finished" in err and "w-analysts.duckdb" in err
    assert "read-only mode" not in err and "Traceback" not in err
    assert not (tmp_path / "out.html").exists()


@pytest.mark.slow
def test_report_margin_waits_for_a_writer_that_finishes(
        margin_wh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(warehouse, "READER_WAIT_SECONDS", 20.0)
    holder = hold_open(margin_wh, read_only=False, seconds=1.0)
    try:
        code, err = report(margin_wh, tmp_path, capsys)
    finally:
        holder.wait(timeout=30)
    assert code == 0, err
    assert (tmp_path / "out.html").is_file()


@pytest.mark.fast
def test_a_lock_error_without_a_pid_still_tells_a_reader_what_to_do() -> None:
    message = warehouse.written_message('Could not set lock on file "/w/x.duckdb"')
    assert message.startswith("/w/x.duckdb is open for writing in another process")
    assert "/w/x-analysts.duckdb" in message and "run this again" in message
