"""period.closed: written in the close's transaction (rating.rate.close.close_period) by the
close that closed the period, one per catalog service, its invoices counted and totalled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.rate import close
from rating.rate.engine import close_period
from rating.webhooks.events import write_events
from tests.support.posting import PERIOD, rated_period
from tests.support.usage_builder import rows, table
from tests.webhooks.events_support import count, events

pytestmark = pytest.mark.engine


@pytest.fixture
def open_wh(tmp_path: Path) -> Path:
    return rated_period(tmp_path, close=False)


def test_closing_tells_each_catalog_service_its_invoice_count_and_total_once(
        open_wh: Path) -> None:
    assert close_period(open_wh, PERIOD)
    told = events(open_wh, "period.closed")
    services = [s for (s,) in table(open_wh, "catalog_services", "service")]
    assert sorted(told) == [f"period.closed:{s}:{PERIOD}" for s in services]
    [(closed_at,)] = table(open_wh, "closed_periods", "closed_at")
    totals = dict(((service, currency), (int(n), int(cents))) for service, currency, n, cents
                  in rows(open_wh, "SELECT service, currency, count(DISTINCT invoice_key), "
                                   "sum(amount) * 100 FROM invoice_lines GROUP BY ALL"))
    assert totals[("nexacloud", "CAD")][0] == 4
    for service in services:
        payload = told[f"period.closed:{service}:{PERIOD}"]
        invoices, cents = totals.get((service, "CAD"), (0, 0))
        assert payload["data"] == {
            "service": service, "billing_period": PERIOD,
            "closed_at": closed_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "invoice_count": invoices,
            "totals": [{"currency": "CAD", "invoice_count": invoices,
                        "untaxed_amount_cents": cents}]}
        assert payload["_row"][1:] == ("period.closed", service, None)

    written = count(open_wh)
    assert not close_period(open_wh, PERIOD)  # already closed: nothing told again
    assert count(open_wh) == written


def test_a_failure_after_the_events_leaves_the_period_open_and_untold(
        open_wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    written: list[int] = []
    real_run = warehouse.run

    def failing_run(con: Any, name: str, params: Any = None) -> Any:
        ran.append(name)
        if name == "rate/insert_closed_period":
            raise RuntimeError("injected after the events")
        return real_run(con, name, params)

    def counted_write_events(con: Any, staging: str, params: Any = None) -> int:
        written.append(write_events(con, staging, params))
        return written[-1]

    monkeypatch.setattr(warehouse, "run", failing_run)
    monkeypatch.setattr(close, "write_events", counted_write_events)
    with pytest.raises(RuntimeError, match="injected after the events"):
        close_period(open_wh, PERIOD)
    failed_at = ran.index("rate/insert_closed_period")
    assert ran[failed_at - 3:failed_at] == [
        "webhooks/stage_period_closed_events", "webhooks/insert_events",
        "webhooks/drop_new_events"]
    assert written == [5]  # one per catalog service, then undone with the close
    assert table(open_wh, "closed_periods") == []
    assert events(open_wh) == {}

    monkeypatch.undo()
    assert close_period(open_wh, PERIOD)
    assert len(events(open_wh, "period.closed")) == 5
