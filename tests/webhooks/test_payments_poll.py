"""The payment poll against the Odoo test server, after the real posting code posted a closed
period's eight invoices: the first read is the baseline (no event), each payment registered in
Odoo is one invoice.payment_status_updated event in order, a rerun writes nothing twice, only
documents whose payment state can still change are read, the warehouse is not locked while
Odoo answers, and a failure inside a batch's transaction leaves neither states nor events."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import warehouse
from rating.cli import main
from rating.odoo import gateway as odoo
from rating.odoo.posting import post_period
from rating.webhooks import payments
from rating.webhooks.payments import poll_payments
from tests.support.odoo_server import Call, Fault, OdooTestServer
from tests.support.payments import register_payment
from tests.support.posting import PERIOD, environment_for, gateway_for

pytestmark = pytest.mark.engine
PAID_IN_FULL = "C1/nexacloud/2026-10"
PAID_IN_PART = "C2/nexamaps/2026-10"


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer(in_payment=False) as found:
        yield found


@pytest.fixture
def posted(server: OdooTestServer, posting_wh: Path) -> tuple[odoo.Gateway, Path]:
    gateway = gateway_for(server, "jsonrpc")
    report = post_period(posting_wh, PERIOD, gateway)
    assert report.posted == 8
    server.calls.clear()
    return gateway, posting_wh


def move_ids(wh: Path) -> dict[str, int]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return dict(con.execute("SELECT invoice_key, odoo_move_id FROM odoo_postings "
                                "ORDER BY ALL").fetchall())


def states(wh: Path) -> dict[str, tuple[str, int, str | None]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT invoice_key, payment_state, changes, odoo_state "
                            "FROM odoo_payment_states ORDER BY ALL").fetchall()
    return {key: (state, changes, odoo_state) for key, state, changes, odoo_state in found}


PAYMENT_EVENTS = ("SELECT count(*) FROM webhook_events "
                  "WHERE event_type = 'invoice.payment_status_updated'")
"""The poll's events only: posting writes invoice.posted, the close period.closed."""


def events(wh: Path) -> list[dict[str, Any]]:
    with duckdb.connect(str(wh), read_only=True) as con:
        found = con.execute("SELECT event_key, ordering_key, payload FROM webhook_events "
                            "WHERE event_type = 'invoice.payment_status_updated' "
                            "ORDER BY event_seq").fetchall()
    return [{"key": key, "ordering_key": ordering, **json.loads(payload)}
            for key, ordering, payload in found]


def ids_read(server: OdooTestServer) -> list[list[int]]:
    return [call.params["ids"] for call in server.calls
            if (call.model, call.method) == ("account.move", "read")]


def test_the_first_read_not_paid_is_the_baseline_and_writes_no_event(
        posted: tuple[odoo.Gateway, Path]) -> None:
    gateway, wh = posted
    report = poll_payments(wh, gateway)
    assert report == payments.PaymentReport(checked=8, changed=0, events=0, final=0)
    assert set(states(wh).values()) == {("not_paid", 0, "posted")}
    assert events(wh) == []


def test_a_payment_registered_in_odoo_is_one_event_with_the_invoice_and_its_accounts(
        posted: tuple[odoo.Gateway, Path]) -> None:
    gateway, wh = posted
    poll_payments(wh, gateway)
    register_payment(gateway, move_ids(wh)[PAID_IN_FULL])
    report = poll_payments(wh, gateway)
    assert (report.changed, report.events, report.final) == (1, 1, 1)
    [event] = events(wh)
    move_id = move_ids(wh)[PAID_IN_FULL]
    assert event["key"] == f"invoice.payment_status_updated:{PAID_IN_FULL}:{move_id}:1:paid"
    assert event["ordering_key"] == PAID_IN_FULL
    assert (event["type"], event["version"]) == ("invoice.payment_status_updated", 1)
    data = event["data"]
    assert data["total_amount_cents"] > 0 and isinstance(data["total_amount_cents"], int)
    assert data == {
        "invoice_key": PAID_IN_FULL, "odoo_move_id": move_ids(wh)[PAID_IN_FULL],
        "number": data["number"], "customer_key": "C1", "account_ids": ["nexacloud-C1"],
        "service": "nexacloud", "billing_period": PERIOD, "document_kind": "invoice",
        "payment_status": "paid", "previous_payment_status": "not_paid",
        "amount_residual_cents": 0, "total_amount_cents": data["total_amount_cents"],
        "currency": "CAD"}
    assert data["number"].startswith("INV/")


def test_a_partial_payment_then_the_rest_are_two_events_in_order_and_a_rerun_adds_none(
        posted: tuple[odoo.Gateway, Path]) -> None:
    gateway, wh = posted
    poll_payments(wh, gateway)
    move_id = move_ids(wh)[PAID_IN_PART]
    register_payment(gateway, move_id, Decimal("1.00"))
    poll_payments(wh, gateway)
    register_payment(gateway, move_id)
    poll_payments(wh, gateway)
    again = poll_payments(wh, gateway)
    assert (again.changed, again.events) == (0, 0)
    found = [(e["key"].split(":")[-2], e["data"]["previous_payment_status"],
              e["data"]["payment_status"]) for e in events(wh)]
    assert found == [("1", "not_paid", "partial"), ("2", "partial", "paid")]
    partial = events(wh)[0]["data"]
    assert partial["amount_residual_cents"] == partial["total_amount_cents"] - 100
    assert states(wh)[PAID_IN_PART] == ("paid", 2, "posted")


def test_only_documents_whose_payment_state_can_change_are_read_in_batches(
        posted: tuple[odoo.Gateway, Path], server: OdooTestServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    gateway, wh = posted
    monkeypatch.setattr(payments, "READ_CHUNK", 3)
    poll_payments(wh, gateway)
    assert [len(ids) for ids in ids_read(server)] == [3, 3, 2]
    register_payment(gateway, move_ids(wh)[PAID_IN_FULL])
    register_payment(gateway, move_ids(wh)[PAID_IN_PART], Decimal("1.00"))
    poll_payments(wh, gateway)
    server.calls.clear()
    report = poll_payments(wh, gateway)
    # The paid invoice is never read again; the partial one is.
    read = sorted(i for ids in ids_read(server) for i in ids)
    assert move_ids(wh)[PAID_IN_FULL] not in read
    assert len(read) == report.checked == 7
    assert [len(ids) for ids in ids_read(server)] == [3, 3, 1]


def test_a_first_read_already_paid_is_an_event_with_no_previous_status(
        posted: tuple[odoo.Gateway, Path]) -> None:
    gateway, wh = posted
    register_payment(gateway, move_ids(wh)[PAID_IN_FULL])
    report = poll_payments(wh, gateway)
    assert (report.checked, report.events) == (8, 1)
    [event] = events(wh)
    assert (event["data"]["previous_payment_status"], event["data"]["payment_status"]) == (
        None, "paid")
    assert states(wh)[PAID_IN_FULL] == ("paid", 1, "posted")


def test_in_payment_is_read_again_until_the_bank_statement_makes_it_paid(
        posting_wh: Path) -> None:
    with OdooTestServer(in_payment=True) as server:
        gateway = gateway_for(server, "json2")
        post_period(posting_wh, PERIOD, gateway)
        poll_payments(posting_wh, gateway)
        move_id = move_ids(posting_wh)[PAID_IN_FULL]
        register_payment(gateway, move_id)
        poll_payments(posting_wh, gateway)
        server.calls.clear()
        poll_payments(posting_wh, gateway)
        assert move_id in [i for ids in ids_read(server) for i in ids]
        server.match_payments(move_id)
        poll_payments(posting_wh, gateway)
    assert [(e["data"]["previous_payment_status"], e["data"]["payment_status"])
            for e in events(posting_wh)] == [("not_paid", "in_payment"), ("in_payment", "paid")]


def test_a_cancelled_invoice_is_recorded_without_an_event_and_no_longer_read(
        posted: tuple[odoo.Gateway, Path], server: OdooTestServer) -> None:
    gateway, wh = posted
    poll_payments(wh, gateway)
    move_id = move_ids(wh)[PAID_IN_FULL]
    gateway.call("account.move", "button_cancel", [move_id])
    report = poll_payments(wh, gateway)
    assert (report.checked, report.events) == (8, 0)
    assert states(wh)[PAID_IN_FULL] == ("not_paid", 0, "cancel")
    server.calls.clear()
    poll_payments(wh, gateway)
    assert move_id not in [i for ids in ids_read(server) for i in ids]


def test_the_warehouse_is_not_locked_while_odoo_answers(
        posted: tuple[odoo.Gateway, Path], server: OdooTestServer) -> None:
    gateway, wh = posted
    free: list[bool] = []

    def try_the_writer_lock(call: Call) -> None:
        with open(f"{wh}.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                free.append(False)
                return
            fcntl.flock(lock, fcntl.LOCK_UN)
            free.append(True)

    server.inject(Fault("callback", "account.move", "read", callback=try_the_writer_lock))
    poll_payments(wh, gateway)
    assert free == [True]


def test_a_failure_after_the_events_are_written_leaves_neither_events_nor_states(
        posted: tuple[odoo.Gateway, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    gateway, wh = posted
    poll_payments(wh, gateway)
    register_payment(gateway, move_ids(wh)[PAID_IN_FULL])
    run = warehouse.run
    staged: list[int] = []

    def failing_run(con: Any, name: str, params: Any = None) -> Any:
        if name == "webhooks/payment_update_states":
            staged.append(con.execute(PAYMENT_EVENTS).fetchone()[0])
            raise RuntimeError("killed after the events were written")
        return run(con, name, params)

    monkeypatch.setattr(warehouse, "run", failing_run)
    with pytest.raises(RuntimeError, match="killed after the events were written"):
        poll_payments(wh, gateway)
    assert staged == [1]  # the event was written inside the transaction when it failed
    assert events(wh) == []
    assert set(states(wh).values()) == {("not_paid", 0, "posted")}
    monkeypatch.setattr(warehouse, "run", run)
    report = poll_payments(wh, gateway)
    assert (report.changed, report.events) == (1, 1)
    assert [e["key"] for e in events(wh)] == [
        f"invoice.payment_status_updated:{PAID_IN_FULL}:{move_ids(wh)[PAID_IN_FULL]}:1:paid"]


def test_the_command_reads_and_says_what_changed_then_refreshes_the_analysts_copy(
        posted: tuple[odoo.Gateway, Path], server: OdooTestServer,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    gateway, wh = posted
    register_payment(gateway, move_ids(wh)[PAID_IN_FULL])
    for name, value in environment_for(server, "jsonrpc").items():
        monkeypatch.setenv(name, value)
    assert main(["odoo", "payments", "--warehouse", str(wh)]) == 0
    out = capsys.readouterr().out
    assert "8 invoices read, 1 payment states changed, 1 webhook events written" in out
    with duckdb.connect(str(wh.with_name("warehouse-analysts.duckdb")), read_only=True) as con:
        assert con.execute(PAYMENT_EVENTS).fetchone() == (1,)


def test_the_command_without_odoo_url_reads_nothing_and_says_what_to_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    wh = tmp_path / "warehouse.duckdb"
    assert main(["odoo", "payments", "--warehouse", str(wh)]) == 2
    assert "set ODOO_URL" in capsys.readouterr().err
    assert not wh.exists()
