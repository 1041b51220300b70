"""The next_period scenario of the adjustment tests (FUSION_ADJUST_DELIVERY=next_period): the
October of tests.support.posting rated and closed, November's usage rated (the open period),
late usage and corrections of October landed, the nightly adjust run that delivers its
revisions on November's invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from rating.adjust.run import AdjustSettings
from rating.adjust.service import AdjustPeriodsRequest, AdjustPeriodsResult, adjust_periods
from tests.support.posting import CATALOG, PERIOD
from tests.support.usage_builder import Landing, table, usage_row

NEXT = "2026-11"
NEXT_PERIOD = AdjustSettings(delivery="next_period")


def landing(root: Path) -> Landing:
    return Landing(root / "landing", accounts=False, subscriptions=False)


def rate_november(root: Path, wh: Path, tiles: dict[str, int], vcpu: dict[str, int]) -> None:
    """November's usage (map tiles and vCPU hours per customer; a customer left out has no
    invoice of that service), rated: the open period."""
    start = "2026-11-05T10:00Z"
    landing(root).usage("november.parquet", [
        *(usage_row("nexamaps", "map_tiles", value, start=start, account_id=f"nexamaps-{c}")
          for c, value in tiles.items()),
        *(usage_row("nexacloud", "vcpu_hours", value, start=start,
                    account_id=f"nexacloud-{c}") for c, value in vcpu.items())])
    landing(root).rate(wh, NEXT)


def correct_tiles(root: Path, customer: str, by: int, name: str, month: str = PERIOD) -> None:
    """The customer's map tiles of the month pushed again, `by` fewer (0.0000125 a tile)."""
    found = duckdb.sql(
        "SELECT counter_id, value, pushed_at, period_start "
        f"FROM read_parquet('{root}/landing/usage/*.parquet')"
        f" WHERE account_id = 'nexamaps-{customer}' AND metric = 'map_tiles' "
        f"AND strftime(period_start, '%Y-%m') = '{month}' ORDER BY pushed_at DESC LIMIT 1"
    ).fetchone()
    assert found is not None
    counter_id, value, pushed_at, start = found
    landing(root).usage(name, [usage_row(
        "nexamaps", "map_tiles", Decimal(value) - by, start=start,
        account_id=f"nexamaps-{customer}",
        counter_id=counter_id, pushed_at=pushed_at + dt.timedelta(days=20))])


def late_vcpu(root: Path, customer: str, hours: int, name: str) -> None:
    """October vCPU hours that arrive late: 0.045 each."""
    landing(root).usage(name, [usage_row("nexacloud", "vcpu_hours", hours,
                                         account_id=f"nexacloud-{customer}")])


def adjust(root: Path, settings: AdjustSettings = NEXT_PERIOD) -> AdjustPeriodsResult:
    """The nightly run, as `fusion-rating adjust` does it with Odoo set."""
    return adjust_periods(AdjustPeriodsRequest(
        landing=str(root / "landing"), catalog=CATALOG, warehouse=root / "warehouse.duckdb",
        settings=settings, outbox_counts_as_posted=False))


def revisions(wh: Path) -> list[tuple[Any, ...]]:
    return table(wh, "period_adjustments",
                 "adjustment_key, document_kind, amount_net, delivery, target_period")


def reason(wh: Path, key: str) -> str:
    [(text,)] = table(wh, "period_adjustments", "reason_text", f"adjustment_key = '{key}'")
    return str(text)


def rated(wh: Path, key: str) -> Decimal:
    """The invoice's own rated total (invoice_lines)."""
    [(total,)] = table(wh, "invoice_lines", "sum(amount)", f"invoice_key = '{key}'")
    return Decimal(total)
