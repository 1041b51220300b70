"""Errors a data team meets on the command line: each names what is wrong and what to do."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rating import warehouse
from rating.cli import main
from tests.support.holder import hold_open
from tests.support.usage_builder import CATALOG, Landing, usage_row


@pytest.fixture
def rated_wh(landing: Landing, wh: Path) -> Path:
    landing.usage("a.parquet", [usage_row(value=5)])
    landing.rate(wh)
    return wh


@pytest.fixture
def reader(rated_wh: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the rated warehouse open read-only for the test's length."""
    holder = hold_open(rated_wh, read_only=True)
    yield holder
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


@pytest.mark.slow
def test_a_writer_names_the_reader_that_keeps_the_warehouse_open(
        rated_wh: Path, reader: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse, "READER_WAIT_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(warehouse.WarehouseInUse) as raised, warehouse.writer(rated_wh):
        pass
    assert time.monotonic() - started >= 0.4          # it waited before giving up
    message = str(raised.value)
    assert f"process {reader.pid} (" in message
    assert "close that connection" in message and "warehouse-analysts.duckdb" in message
    assert "read-only mode" not in message and "\n" not in message


@pytest.mark.slow
def test_a_writer_waits_for_a_reader_that_closes(rated_wh: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse, "READER_WAIT_SECONDS", 20.0)
    holder = hold_open(rated_wh, read_only=True, seconds=1.0)
    try:
        with warehouse.writer(rated_wh) as con:
            assert con.execute("SELECT count(*) FROM rating_runs").fetchone() == (1,)
    finally:
        holder.wait(timeout=30)


@pytest.mark.slow
def test_rate_beside_a_reader_ends_in_one_line_naming_it(
        landing: Landing, rated_wh: Path, reader: subprocess.Popen[str],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(warehouse, "READER_WAIT_SECONDS", 0.2)
    code = main(["rate", "--landing", str(landing.root), "--catalog", str(CATALOG),
                 "--warehouse", str(rated_wh), "--period", "2026-10"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("fusion-rating: nothing rated: ")
    assert f"process {reader.pid}" in err and "then run this again" in err


@pytest.mark.fast
def test_a_lock_error_without_a_pid_still_says_what_to_do() -> None:
    message = warehouse.in_use_message('Could not set lock on file "/w/x.duckdb"')
    assert message.startswith("/w/x.duckdb is open in another process")
    assert "x-analysts.duckdb" in message and "then run this again" in message


@pytest.mark.slow
def test_rate_beside_a_reader_of_the_ledger_names_it(
        landing: Landing, rated_wh: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(warehouse, "READER_WAIT_SECONDS", 0.2)
    catalog = rated_wh.parent / "warehouse.ledger" / "catalog.ducklake"
    assert catalog.is_file()
    reader = hold_open(catalog, read_only=True)
    try:
        code = main(["rate", "--landing", str(landing.root), "--catalog", str(CATALOG),
                     "--warehouse", str(rated_wh), "--period", "2026-10"])
    finally:
        assert reader.stdin is not None
        reader.stdin.close()
        reader.wait(timeout=30)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"{catalog} is open in process {reader.pid} (" in err
    assert "a writer needs it alone" in err


@pytest.mark.engine
def test_close_at_a_mistyped_path_refuses_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mistyped = tmp_path / "wherehouse" / "warehouse.duckdb"
    code = main(["close", "--warehouse", str(mistyped), "--period", "2026-10"])
    err = capsys.readouterr()
    assert code == 2 and "closed" not in err.out
    assert f"there is no warehouse at {mistyped}" in err.err
    assert f"fusion-rating rate --landing DIR --catalog DIR --warehouse {mistyped} " \
           "--period 2026-10" in err.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.engine
def test_close_of_a_period_never_rated_refuses(rated_wh: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["close", "--warehouse", str(rated_wh), "--period", "2026-09"])
    err = capsys.readouterr()
    assert code == 2 and "closed" not in err.out
    assert "period 2026-09 not closed: it was never rated in" in err.err
    assert "--period 2026-09)" in err.err
    assert main(["close", "--warehouse", str(rated_wh), "--period", "2026-10"]) == 0
    copy = rated_wh.with_name(f"{rated_wh.stem}-analysts{rated_wh.suffix}")
    assert capsys.readouterr().out == f"period 2026-10: closed\n  analysts' copy: {copy}\n"


@pytest.mark.engine
def test_close_of_a_file_without_our_tables_refuses_and_leaves_it_empty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.duckdb"
    warehouse.connect(other).close()
    code = main(["close", "--warehouse", str(other), "--period", "2026-10"])
    assert code == 2 and "holds no fusion-rating tables" in capsys.readouterr().err
    with warehouse.writer(other) as con:
        assert warehouse.rows(con, "warehouse/existing_tables") == []


@pytest.mark.fast
def test_close_of_a_month_out_of_range_says_so(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["close", "--warehouse", str(tmp_path / "w.duckdb"), "--period", "2026-13"])
    assert code == 2
    assert "the month must be 01 to 12" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
