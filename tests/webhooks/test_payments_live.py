"""Evidence of issue 15 against Odoo: invoices posted by the real posting code, a payment
registered in Odoo as an accountant does (account.payment.register over the wire), and the
poll records `paid` in odoo_payment_states with an invoice.payment_status_updated event; a
partial payment first is `partial`, then `paid`, in that order.

Params `jsonrpc` and `json2` run on the Odoo test server; `live-jsonrpc` and `live-json2`
(marker odoo_live, `pytest -m odoo_live`) on the real Odoo named by ODOO_URL and ODOO_DB,
under customer keys of their own."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating.odoo import gateway as odoo
from rating.odoo.posting import post_period
from rating.webhooks.payments import poll_payments
from tests.support.odoo_server import OdooTestServer
from tests.support.payments import payment_of, register_payment
from tests.support.posting import PERIOD, apply_setup, gateway_for, rated_period

pytestmark = pytest.mark.slow
LIVE = pytest.mark.odoo_live


@dataclass(frozen=True)
class Posted:
    gateway: odoo.Gateway
    wh: Path
    customer: str  # this run's customer key prefix

    def move_id(self, key: str) -> int:
        with duckdb.connect(str(self.wh), read_only=True) as con:
            found = con.execute("SELECT odoo_move_id FROM odoo_postings WHERE invoice_key = ?",
                                [key]).fetchone()
        assert found is not None
        return int(found[0])


@pytest.fixture(params=["jsonrpc", "json2", pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def posted(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Posted]:
    where, _, transport = str(request.param).rpartition("-")
    if where != "live":
        with OdooTestServer() as server:
            gateway = gateway_for(server, transport)
            wh = rated_period(tmp_path, count=2)
            assert post_period(wh, PERIOD, gateway).posted == 4
            yield Posted(gateway, wh, "C")
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    gateway = odoo.connect(settings)
    apply_setup(gateway)  # idempotent: what an operator runs once per database
    customer = f"FP{uuid.uuid4().hex[:8].upper()}-"
    wh = rated_period(tmp_path, count=2, prefix=customer)
    assert post_period(wh, PERIOD, gateway).posted == 4
    yield Posted(gateway, wh, customer)


def events_of(wh: Path, key: str) -> list[dict[str, object]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT payload FROM webhook_events WHERE ordering_key = ? "
                            "AND event_type = 'invoice.payment_status_updated' "
                            "ORDER BY event_seq", [key]).fetchall()
    return [json.loads(payload)["data"] for (payload,) in found]


def state_of(wh: Path, key: str) -> tuple[str, Decimal]:
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT payment_state, amount_residual FROM odoo_payment_states "
                            "WHERE invoice_key = ?", [key]).fetchone()
    assert found is not None
    return found[0], found[1]


def test_a_payment_registered_in_odoo_is_recorded_paid_with_its_event(posted: Posted) -> None:
    key = f"{posted.customer}1/nexacloud/{PERIOD}"
    assert poll_payments(posted.wh, posted.gateway).events == 0  # the baseline
    register_payment(posted.gateway, posted.move_id(key))
    report = poll_payments(posted.wh, posted.gateway)
    assert (report.checked, report.changed, report.events) == (4, 1, 1)
    assert state_of(posted.wh, key) == ("paid", Decimal("0.00"))
    [event] = events_of(posted.wh, key)
    assert (event["payment_status"], event["previous_payment_status"],
            event["amount_residual_cents"]) == ("paid", "not_paid", 0)
    assert event["account_ids"] == [f"nexacloud-{posted.customer}1"]


def test_a_partial_payment_then_the_rest_are_partial_then_paid_in_order(
        posted: Posted) -> None:
    key = f"{posted.customer}2/nexamaps/{PERIOD}"
    move_id = posted.move_id(key)
    poll_payments(posted.wh, posted.gateway)
    register_payment(posted.gateway, move_id, Decimal("5.00"))
    poll_payments(posted.wh, posted.gateway)
    total = Decimal(str(payment_of(posted.gateway, move_id)["amount_total"]))
    assert state_of(posted.wh, key) == ("partial", total - Decimal("5.00"))
    register_payment(posted.gateway, move_id)
    poll_payments(posted.wh, posted.gateway)
    assert state_of(posted.wh, key) == ("paid", Decimal("0.00"))
    assert [(e["previous_payment_status"], e["payment_status"], e["amount_residual_cents"])
            for e in events_of(posted.wh, key)] == [
        ("not_paid", "partial", int((total - 5) * 100)), ("partial", "paid", 0)]
