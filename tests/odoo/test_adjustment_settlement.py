"""An original invoice a person changed in Odoo after we posted it (changed_after_posting):
an adjustment issued before the change is never posted against it, on the Odoo test server
(both transports)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating.odoo.posting import post_period
from tests.support.adjustments import issue
from tests.support.odoo_server import OdooTestServer
from tests.support.posting import PERIOD, gateway_for
from tests.support.usage_builder import table

pytestmark = pytest.mark.slow
D = Decimal
CHANGED = "C2/nexamaps/2026-10"


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def move_of(server: OdooTestServer, key: str) -> dict[str, Any]:
    [move] = [m for m in server.records("account.move") if m["x_fc_billing_key"] == key]
    return move


def change_in_odoo(server: OdooTestServer, key: str, by: Decimal) -> None:
    """What a person does in Odoo: reset the posted invoice to draft, lower its first line's
    unit price by `by` (a quantity of 1 on the test server's lines is not assumed), post it."""
    move = move_of(server, key)
    server.execute("account.move", "button_draft", [move["id"]])
    first = min((ln for ln in server.records("account.move.line")
                 if ln["move_id"] == move["id"] and ln.get("display_type") == "product"),
                key=lambda ln: ln["id"])
    server.execute("account.move.line", "write", [first["id"]],
                   vals={"price_unit": D(str(first["price_unit"])) - by / D(
                       str(first["quantity"]))})
    server.execute("account.move", "action_post", [move["id"]])


def flag_changed(wh: Path, key: str) -> None:
    """The ledger as posting leaves it when what Odoo holds is no longer what we rate (our
    content changed since we posted it, or a person posted our draft otherwise)."""
    with duckdb.connect(str(wh)) as con:
        con.execute("UPDATE odoo_postings SET state = 'changed_after_posting', "
                    "content_hash = 'as posted' WHERE invoice_key = ?", [key])


@pytest.mark.parametrize("transport", ["jsonrpc", "json2"])
def test_a_credit_note_is_not_posted_against_an_original_a_person_changed(
        server: OdooTestServer, posting_wh: Path, transport: str) -> None:
    gateway = gateway_for(server, transport)
    assert post_period(posting_wh, PERIOD, gateway).held == []
    change_in_odoo(server, CHANGED, D("5.00"))
    flag_changed(posting_wh, CHANGED)
    assert [(k, s) for k, s, _ in post_period(posting_wh, PERIOD, gateway).held] == [
        (CHANGED, "changed_after_posting")]
    # Issued before the adjust run saw the change: computed against what we invoiced.
    issue(posting_wh, f"{CHANGED}/r1", CHANGED, "credit_note", [("NM-TILES", "-3.50")])
    report = post_period(posting_wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [
        (CHANGED, "changed_after_posting"), (f"{CHANGED}/r1", "original_changed_in_odoo")]
    assert "--settle C2/nexamaps/2026-10" in report.held[1][2]
    assert report.created == 0
    assert {m["move_type"] for m in server.records("account.move")} == {"out_invoice"}
    assert table(posting_wh, "odoo_postings", "state", f"invoice_key = '{CHANGED}/r1'") == [
        ("original_changed_in_odoo",)]
