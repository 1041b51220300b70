"""`fusion-rating adjust` (rating.cli_adjust): what it prints per revision and pending why, its
exit codes, and the analysts' copy refreshed after a run that wrote, not after a dry run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rating import cli
from rating.odoo.posting import post_period
from tests.support.adjust_month import Month
from tests.support.adjustments import change_in_odoo, flag_changed, move_of
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, environment_for, gateway_for, rated_period
from tests.support.usage_builder import CATALOG, Landing, table, usage_row


def adjust(month: Month, *options: str) -> list[str]:
    return ["adjust", "--landing", str(month.landing.root), "--catalog", str(CATALOG),
            "--warehouse", str(month.warehouse), "-q", *options]


@pytest.mark.engine
def test_adjust_prints_each_revision_line_and_exits_0_then_1_while_a_revision_waits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    copy = month.warehouse.with_name("warehouse-analysts.duckdb")
    late = month.late("late-1.parquet", usage_row("nexacloud", "vcpu_hours", 40))

    assert cli.main(adjust(month, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "C1/nexacloud/2026-10/r1: supplementary invoice, revision 1, net +1.80 CAD" in out
    assert "dry run: nothing was issued" in out and not copy.exists()

    assert cli.main(adjust(month)) == 0
    out = capsys.readouterr().out
    assert "period 2026-10 (nightly, closed period 1 counting back): issued" in out
    assert "from 200 to 240: 4.50 → 6.30 (+1.80)" in out
    assert f"source files: {late}" in out
    assert copy.exists()

    month.late("late-2.parquet", usage_row("nexacloud", "vcpu_hours", 60))
    assert cli.main(adjust(month)) == 1  # r1 not posted yet
    assert "pending, earlier revision not posted: +2.70 on 1 line(s) of 1 invoice(s)" in (
        capsys.readouterr().out)


@pytest.mark.engine
def test_adjust_refuses_an_open_period_and_a_nightly_accept_changes_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200)])
    assert cli.main(adjust(month, "--period", "2026-11")) == 2
    assert "2026-11 is not closed" in capsys.readouterr().err
    assert cli.main(adjust(month, "--accept-changes")) == 2
    err = capsys.readouterr().err
    assert "name it with --period YYYY-MM" in err and len(err.strip().splitlines()) == 1


@pytest.mark.fast
def test_adjust_help_lists_its_exit_codes_and_refuses_a_negative_threshold(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["adjust", "--help"])
    out = capsys.readouterr().out
    assert "4  stopped by the guard" in out and "FUSION_ADJUST_THRESHOLD" in out
    with pytest.raises(SystemExit) as stopped:
        cli.main(["adjust", "--landing", "l", "--catalog", "c", "--warehouse", "w",
                  "--threshold", "-1"])
    assert stopped.value.code == 2
    assert "give an amount of 0 or more" in capsys.readouterr().err


@pytest.mark.engine
def test_adjust_exits_4_when_the_guard_stops_it_and_publishes_what_it_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 2000, counter_id="c-1")])
    month.late("correction.parquet", usage_row("nexacloud", "vcpu_hours", 100, counter_id="c-1",
                                               pushed_at="2026-10-25T00:00Z"))
    assert cli.main(adjust(month)) == 4
    out = capsys.readouterr().out
    assert "stopped by guard" in out and "pending, guard: -85.50" in out
    assert month.warehouse.with_name("warehouse-analysts.duckdb").exists()


@pytest.mark.fast
def test_adjust_exits_3_out_of_memory_naming_the_limit(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    from rating.adjust import service

    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate")

    monkeypatch.setattr(service, "adjust_periods", out_of_memory)
    assert cli.main(["adjust", "--landing", "l", "--catalog", "c", "--warehouse", "w",
                     "--memory-limit", "1GB", "-q"]) == 3
    err = capsys.readouterr().err
    assert "--memory-limit 1GB" in err and "raise the limit or lower --threads" in err


@pytest.mark.engine
def test_adjust_prints_what_is_pending_beyond_the_lookback_and_exits_1_for_a_person(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    month = Month(tmp_path, [usage_row("nexacloud", "vcpu_hours", 200),
                             usage_row("nexacloud", "vcpu_hours", 1000,
                                       start="2026-09-05T10:00Z")],
                  periods=("2026-09", "2026-10"))
    month.late("late.parquet", usage_row("nexacloud", "vcpu_hours", 20,
                                         start="2026-09-06T10:00Z"))
    assert cli.main(adjust(month)) == 0  # 0.90 carried below the threshold
    capsys.readouterr()
    # A lookback of one: September is beyond it, untouched, never re-rated on its own again.
    assert cli.main(adjust(month, "--lookback", "1")) == 1
    out = capsys.readouterr().out
    assert ("period 2026-09, beyond the lookback and not re-rated: pending, below threshold: "
            "+0.90 on 1 line(s); `fusion-rating adjust --period 2026-09` bills it") in out


@pytest.mark.slow
def test_adjust_settle_brings_odoo_back_to_what_was_rated_and_lets_the_key_be_adjusted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    wh = rated_period(tmp_path, count=2)
    key = "C2/nexamaps/2026-10"
    command = ["adjust", "--landing", str(tmp_path / "landing"), "--catalog", str(CATALOG),
               "--warehouse", str(wh), "-q", "--period", PERIOD]
    with OdooTestServer() as server:
        for name, value in environment_for(server, "json2").items():
            monkeypatch.setenv(name, value)
        gateway = gateway_for(server, "json2")
        post_period(wh, PERIOD, gateway)
        # A person billed 5.00 more by hand.
        change_in_odoo(gateway, move_of(server, key)["id"], Decimal("-5.00"))
        flag_changed(wh, key)
        Landing(tmp_path / "landing", accounts=False, subscriptions=False).usage(
            "late.parquet", [usage_row("nexamaps", "map_tiles", 400_000,
                                       account_id="nexamaps-C2")])
        assert cli.main(command) == 1
        assert "pending, original changed after posting: +5.00" in capsys.readouterr().out
        assert cli.main([*command, "--settle", key]) == 2
        assert "needs --period P and --reason TEXT" in capsys.readouterr().err

        assert cli.main([*command, "--settle", key, "--reason", "x", "--dry-run"]) == 1
        assert "credit note (dry run), net -5.00" in capsys.readouterr().out
        assert table(wh, "period_adjustments", "count(*)") == [(0,)]

        assert cli.main([*command, "--settle", key, "--reason", "tiles billed by hand"]) == 1
        out = capsys.readouterr().out
        number = move_of(server, key)["name"]
        assert f"settled {key} ({number}): Odoo billed " in out
        assert f"credit note {key}/r1, net -5.00" in out
        # The late tiles are no longer held by the change: they wait for the settlement.
        assert "pending, earlier revision not posted: +5.00" in out
        assert post_period(wh, PERIOD, gateway).held == []
        assert cli.main(command) == 0
        assert f"{key}/r2: supplementary invoice, revision 2, net +5.00" in (
            capsys.readouterr().out)
        assert post_period(wh, PERIOD, gateway).created == 1
        assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]
        assert cli.main([*command, "--settle", key, "--reason", "again"]) == 2
        assert "nothing to settle" in capsys.readouterr().err


@pytest.mark.engine
def test_adjust_settle_refuses_in_one_line_while_another_process_keeps_the_warehouse(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from rating import warehouse

    def in_use(*_: object, **__: object) -> None:
        raise warehouse.WarehouseInUse("process 1234 (python) keeps it open: close it")

    command = ["adjust", "--landing", str(tmp_path / "landing"), "--catalog", str(CATALOG),
               "--warehouse", str(tmp_path / "wh.duckdb"), "-q", "--period", PERIOD,
               "--settle", f"C1/nexacloud/{PERIOD}", "--reason", "x"]
    for name in ("ODOO_USER", "ODOO_PASSWORD", "ODOO_API_KEY", "ODOO_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ODOO_URL", "http://127.0.0.1:9")  # never reached
    assert cli.main(command) == 2
    assert capsys.readouterr().err == ("fusion-rating: nothing settled: the jsonrpc transport "
                                       "needs a login and a password (ODOO_USER, "
                                       "ODOO_PASSWORD)\n")
    monkeypatch.setenv("ODOO_USER", "admin")
    monkeypatch.setenv("ODOO_PASSWORD", "admin")
    monkeypatch.setattr(warehouse, "writer", in_use)
    assert cli.main(command) == 2
    assert capsys.readouterr().err == (
        "fusion-rating: nothing settled: process 1234 (python) keeps it open: close it\n")
