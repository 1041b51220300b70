"""Invoice and payment events after Odoo's invoices change hands (from issue 15's review): an
invoice deleted in Odoo and posted anew under another move, a posting run stopped before its
read-back, an invoice reset to draft and posted again by a person, a warehouse lost and made
anew, a warehouse that posted before the webhooks existed. An app is told the invoice it now
owes, never a payment before its invoice, and never one webhook-id for two contents."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating.odoo import gateway as odoo
from rating.odoo.posting import PostingFailed, post_period
from rating.webhooks.payments import poll_payments
from tests.support.odoo_server import Fault, OdooTestServer
from tests.support.payments import register_payment
from tests.support.posting import PERIOD, gateway_for

pytestmark = pytest.mark.engine
KEY = "C1/nexacloud/2026-10"


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer(in_payment=False) as found:
        yield found


@pytest.fixture
def gateway(server: OdooTestServer) -> odoo.Gateway:
    return gateway_for(server, "jsonrpc")


def outbox(wh: Path) -> list[tuple[int, str, dict[str, Any]]]:
    """(event_seq, event_key, data) in the order the events are delivered."""
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT event_seq, event_key, payload FROM webhook_events "
                            "ORDER BY event_seq").fetchall()
    return [(seq, key, json.loads(payload)["data"]) for seq, key, payload in found]


def move_of(server: OdooTestServer, key: str) -> dict[str, Any]:
    [move] = [m for m in server.records("account.move") if m["x_fc_billing_key"] == key]
    return move


def ledger_state(wh: Path, key: str) -> str:
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT state FROM odoo_postings WHERE invoice_key = ?",
                            [key]).fetchone()
    assert found is not None
    return str(found[0])


def test_an_invoice_posted_anew_after_odoo_lost_the_first_is_told_with_its_new_number(
        server: OdooTestServer, gateway: odoo.Gateway, posting_wh: Path) -> None:
    post_period(posting_wh, PERIOD, gateway)
    first = move_of(server, KEY)
    # Accounting takes the posted invoice back to draft and deletes it.
    gateway.call("account.move", "button_draft", [first["id"]])
    gateway.call("account.move", "unlink", [first["id"]])
    post_period(posting_wh, PERIOD, gateway)
    assert ledger_state(posting_wh, KEY) == "deleted_in_odoo"
    post_period(posting_wh, PERIOD, gateway)  # the key is ours again: created and posted
    again = move_of(server, KEY)
    assert (again["state"], ledger_state(posting_wh, KEY)) == ("posted", "posted")
    assert again["id"] != first["id"] and again["name"] != first["name"]
    told = [data for _, key, data in outbox(posting_wh) if key.startswith("invoice.posted:")
            and data["invoice_key"] == KEY]
    # The app must learn the invoice the customer now owes: its move and number.
    assert (told[-1]["odoo_move_id"], told[-1]["number"]) == (again["id"], again["name"])


def test_an_invoice_is_told_posted_before_any_payment_even_when_read_back_failed_twice(
        server: OdooTestServer, gateway: odoo.Gateway, posting_wh: Path) -> None:
    # Run 1 posts everything; its read-back (the second read) never answers.
    server.inject(Fault("drop_before", model="account.move", method="read", skip=1, times=50))
    with pytest.raises(PostingFailed):
        post_period(posting_wh, PERIOD, gateway)
    server.clear_faults()
    # Run 2 finds each invoice already posted (noting Odoo's number), its read-back fails too.
    server.inject(Fault("drop_before", model="account.move", method="read", times=50))
    with pytest.raises(PostingFailed):
        post_period(posting_wh, PERIOD, gateway)
    server.clear_faults()
    move_id = move_of(server, KEY)["id"]
    register_payment(gateway, move_id)
    poll_payments(posting_wh, gateway)  # the apps know nothing of the invoice: nothing told
    assert [key for _, key, _ in outbox(posting_wh) if KEY in key] == []
    post_period(posting_wh, PERIOD, gateway)  # the read-back answers at last
    poll_payments(posting_wh, gateway)
    order = [key for _, key, _ in outbox(posting_wh) if KEY in key and "/r" not in key]
    # Each endpoint receives an invoice's events in event_seq order: posted, then paid.
    assert order == [f"invoice.posted:{KEY}:{move_id}",
                     f"invoice.payment_status_updated:{KEY}:{move_id}:1:paid"]


def test_a_payment_of_an_invoice_a_person_reset_and_posted_again_is_told(
        server: OdooTestServer, gateway: odoo.Gateway, posting_wh: Path) -> None:
    post_period(posting_wh, PERIOD, gateway)
    poll_payments(posting_wh, gateway)  # the baseline: not_paid
    move_id = move_of(server, KEY)["id"]
    gateway.call("account.move", "button_draft", [move_id])
    post_period(posting_wh, PERIOD, gateway)  # the nightly run notes it
    assert ledger_state(posting_wh, KEY) == "reset_to_draft_in_odoo"
    # Accounting posts it again unchanged (same move, same number), and the customer pays.
    gateway.call("account.move", "action_post", [move_id])
    register_payment(gateway, move_id)
    poll_payments(posting_wh, gateway)
    paid = [data for _, key, data in outbox(posting_wh)
            if key.startswith(f"invoice.payment_status_updated:{KEY}:")]
    assert [data["payment_status"] for data in paid] == ["paid"]


def test_a_payment_event_written_again_by_a_lost_warehouse_never_reuses_another_events_id(
        server: OdooTestServer, gateway: odoo.Gateway, closed_period_warehouse: Path,
        tmp_path: Path) -> None:
    lost = tmp_path / "lost.duckdb"
    shutil.copyfile(closed_period_warehouse, lost)
    post_period(lost, PERIOD, gateway)
    poll_payments(lost, gateway)
    move_id = move_of(server, KEY)["id"]
    register_payment(gateway, move_id, Decimal("1.00"))
    poll_payments(lost, gateway)  # told: partial
    register_payment(gateway, move_id)
    # The warehouse is lost before the next poll; a new one posts (adopting Odoo's invoices)
    # and polls: the invoice is paid.
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(closed_period_warehouse, rebuilt)
    post_period(rebuilt, PERIOD, gateway)
    poll_payments(rebuilt, gateway)
    told = {event_id: data for event_id, data in ids_and_data(lost) + ids_and_data(rebuilt)
            if data.get("payment_status")}
    statuses = sorted(data["payment_status"] for data in told.values())
    # An app deduplicating on webhook-id would drop `paid` if it carried partial's id.
    assert statuses == ["paid", "partial"]


def ids_and_data(wh: Path) -> list[tuple[str, dict[str, Any]]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT event_id, payload FROM webhook_events "
                            "ORDER BY event_seq").fetchall()
    return [(event_id, json.loads(payload)["data"]) for event_id, payload in found]


def test_no_payment_is_told_of_an_invoice_the_apps_were_never_told_of(
        server: OdooTestServer, gateway: odoo.Gateway, posting_wh: Path) -> None:
    post_period(posting_wh, PERIOD, gateway)
    # A warehouse that posted before the webhooks existed (upgraded): no invoice.posted.
    with duckdb.connect(str(posting_wh)) as con:
        con.execute("DELETE FROM webhook_events")
    register_payment(gateway, move_of(server, KEY)["id"])
    poll_payments(posting_wh, gateway)
    told = [key for _, key, _ in outbox(posting_wh)]
    paid = [key for key in told if key.startswith("invoice.payment_status_updated:")]
    announced = {key.split(":")[1] for key in told if key.startswith("invoice.posted:")}
    assert [key.split(":")[1] for key in paid if key.split(":")[1] not in announced] == []
