"""Review of issue 15's usage.rejected: a warehouse made anew beside the ledger that holds the
history (the warehouse file lost, the ledger kept) must not tell the apps months of pushes
again. Fails on main (005437e)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.usage_builder import Landing, usage_row
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
