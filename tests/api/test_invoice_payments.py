"""Invoices' payment_status over real HTTP once `fusion-rating odoo payments` has read Odoo's
payment states (and refreshed the analysts' copy): a paid invoice is Lago's `succeeded` with
nothing due, a partly paid one `pending` with what is left due, one never read `pending` with
its total due, one reversed by a credit note `succeeded` with nothing due; Odoo's own value is
beside it as `payment_state`, as read for the document's current move. A copy published before the
payment poll existed (no odoo_payment_states) still answers, every invoice pending."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.cli import main
from rating.finance.run import publish_analyst_copy
from rating.odoo.posting import post_period
from tests.support.api_server import RunningApi, api_in_thread, settings_in
from tests.support.odoo_server import OdooTestServer
from tests.support.payments import register_payment
from tests.support.posting import PERIOD, environment_for, gateway_for, rated_period

pytestmark = pytest.mark.engine
SERVICES = ("nexacloud", "nexamaps", "nexadesk")
PAID, PARTLY_PAID, UNPAID = "C1/nexacloud/2026-10", "C2/nexacloud/2026-10", "C1/nexamaps/2026-10"


@dataclass(frozen=True)
class Polled:
    wh: Path
    moves: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def polled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Polled]:
    wh = rated_period(tmp_path_factory.mktemp("paid"), count=2)
    with OdooTestServer() as server, pytest.MonkeyPatch.context() as patch:
        gateway = gateway_for(server, "json2")
        assert post_period(wh, PERIOD, gateway).held == []
        ids = {m["x_fc_billing_key"]: m["id"] for m in server.records("account.move")}
        register_payment(gateway, ids[PAID])
        register_payment(gateway, ids[PARTLY_PAID], Decimal("10.00"))
        for name, value in environment_for(server, "json2").items():
            patch.setenv(name, value)
        code = main(["odoo", "payments", "--warehouse", str(wh)])
        assert code == 0
        moves = {m["x_fc_billing_key"]: m for m in server.records("account.move")}
    yield Polled(wh, moves)


@pytest.fixture(scope="module")
def api(polled: Polled, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    settings = replace(settings_in(tmp_path_factory.mktemp("api")), warehouse=polled.wh)
    with api_in_thread(settings, SERVICES) as running:
        yield running


def invoices(api: RunningApi, service: str) -> dict[str, dict[str, Any]]:
    with api.client(service) as client:
        answer = client.get("/invoices")
    assert answer.status_code == 200, answer.text
    return {i["customer_key"]: i for i in answer.json()["invoices"]}


def test_a_paid_invoice_is_succeeded_with_nothing_due(api: RunningApi) -> None:
    paid = invoices(api, "nexacloud")["C1"]
    assert (paid["payment_status"], paid["payment_state"], paid["total_due_amount_cents"]) == (
        "succeeded", "paid", 0)


def test_a_partly_paid_invoice_is_pending_with_what_is_left_due(api: RunningApi,
                                                                polled: Polled) -> None:
    partly = invoices(api, "nexacloud")["C2"]
    left = int(Decimal(str(polled.moves[PARTLY_PAID]["amount_residual"])) * 100)
    assert (partly["payment_status"], partly["payment_state"],
            partly["total_due_amount_cents"]) == ("pending", "partial", left)
    assert left == partly["total_amount_cents"] - 1000


def test_an_invoice_read_not_paid_is_pending_with_its_total_due(api: RunningApi) -> None:
    unpaid = invoices(api, "nexamaps")["C1"]
    assert (unpaid["payment_status"], unpaid["payment_state"]) == ("pending", "not_paid")
    assert unpaid["total_due_amount_cents"] == unpaid["total_amount_cents"] > 0


def test_a_copy_published_before_the_payment_poll_answers_every_invoice_pending(
        polled: Polled, tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    wh.write_bytes(polled.wh.read_bytes())
    with warehouse.writer(wh) as con:
        con.execute("DROP TABLE odoo_payment_states")
    publish_analyst_copy(wh)
    with api_in_thread(replace(settings_in(tmp_path), warehouse=wh), SERVICES) as api:
        found = invoices(api, "nexacloud")
    assert {(i["payment_status"], i["payment_state"]) for i in found.values()} == {
        ("pending", None)}
    assert found["C1"]["total_due_amount_cents"] == found["C1"]["total_amount_cents"] > 0


def test_a_reversed_invoice_is_succeeded_and_another_moves_state_is_never_shown(
        polled: Polled, tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    wh.write_bytes(polled.wh.read_bytes())
    with warehouse.writer(wh) as con:
        # A credit note settled one; the other's state was read on a move Odoo since lost
        # (the key posted anew under another move, not read yet).
        con.execute("UPDATE odoo_payment_states SET payment_state = 'reversed', "
                    "amount_residual = 0 WHERE invoice_key = ?", [UNPAID])
        con.execute("UPDATE odoo_payment_states SET odoo_move_id = odoo_move_id + 1000 "
                    "WHERE invoice_key = ?", [PAID])
    publish_analyst_copy(wh)
    with api_in_thread(replace(settings_in(tmp_path), warehouse=wh), SERVICES) as api:
        reversed_ = invoices(api, "nexamaps")["C1"]
        lost = invoices(api, "nexacloud")["C1"]
    assert (reversed_["payment_status"], reversed_["payment_state"],
            reversed_["total_due_amount_cents"]) == ("succeeded", "reversed", 0)
    assert (lost["payment_status"], lost["payment_state"]) == ("pending", None)
    assert lost["total_due_amount_cents"] == lost["total_amount_cents"] > 0
