"""Review of issue 15's usage.rejected: a warehouse made anew beside the ledger that holds the
history (the warehouse file lost, the ledger kept) must not tell the apps months of pushes
again. Fails on main (005437e)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating.rate.engine import RateRequest, rate
from rating.warehouse import WarehouseSettings
from tests.support.usage_builder import CATALOG, Landing, usage_row
from tests.webhooks.events_support import events

pytestmark = pytest.mark.engine


def test_a_new_warehouse_beside_an_old_ledger_tells_no_old_push_again(
        landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(counter_id="neg-1", value=-2)])
    landing.rate(wh)
    assert sorted(events(wh, "usage.rejected")) == ["usage.rejected:nexacloud:1"]
    for lost in wh.parent.glob(f"{wh.name}*"):
        if lost.is_file():  # the warehouse (and its lock, its WAL); the ledger folder stays
            lost.unlink()
    landing.rate(wh)  # nothing new landed
    assert events(wh, "usage.rejected") == {}


def test_a_push_landed_just_before_a_ledger_rebuild_is_still_told(landing: Landing,
                                                                   wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(counter_id="neg-1", value=-2)])
    landing.rate(wh)
    landing.usage("b.parquet", [usage_row(counter_id="neg-2", value=-3)])  # new, never told
    rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                     period="2026-10", time_zone="America/Toronto", rebuild=True,
                     settings=WarehouseSettings(threads=2)))
    told = [row["counter_id"] for payload in events(wh, "usage.rejected").values()
            for row in payload["data"]["rows"]]
    assert sorted(told) == ["neg-1", "neg-2"]
