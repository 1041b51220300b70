"""Recovery and hold rules of the posting, from a review that tried to break them.

Each test states one promise of docs/odoo.md and is run against the test server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import warehouse
from rating.odoo.posting import PostingFailed, PostingOptions, post_period
from tests.support.odoo_server import Fault, OdooTestServer
from tests.support.posting import PERIOD, gateway_for, move_a_dollar_between_lines, rated_totals
from tests.support.usage_builder import rows, table

NOW = PostingOptions(settle_seconds=0)  # a rerun that need not wait for Odoo to settle


@pytest.fixture
def wh(posting_wh: Path) -> Path:
    return posting_wh


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def failing(wh: Path) -> list[str]:
    """The keys the blocking check odoo_amounts_match fails on."""
    sql = warehouse.sql("odoo/mismatches")
    return [r[0] for r in rows(wh, sql.replace("$billing_period", f"'{PERIOD}'"))]


def refs(server: OdooTestServer, model: str = "account.move") -> list[str]:
    """The keys of the invoices (x_fc_billing_key) or of the partners (ref) Odoo holds."""
    key = "x_fc_billing_key" if model == "account.move" else "ref"
    return sorted(r[key] for r in server.records(model) if r.get(key))


def move_of(server: OdooTestServer, key: str) -> dict[str, Any]:
    return next(m for m in server.records("account.move") if m["x_fc_billing_key"] == key)


def set_price_digits(server: OdooTestServer, digits: int) -> None:
    price = next(r for r in server.records("decimal.precision") if r["name"] == "Product Price")
    server.execute("decimal.precision", "write", [price["id"]], vals={"digits": digits})


@pytest.mark.slow
def test_a_create_still_running_when_the_client_gives_up_is_never_doubled(
        server: OdooTestServer, wh: Path) -> None:
    # Odoo applies the create 1.5 s after receiving it; the client gives up after 1 s.
    server.inject(Fault("late", model="account.move", method="create", seconds=1.5))
    with pytest.raises(PostingFailed, match="answer to creating 8 invoices was lost"):
        post_period(wh, PERIOD, gateway_for(server, "json2", timeout=1.0))
    assert table(wh, "odoo_postings", "DISTINCT state") == [("create_unconfirmed",)]
    early = post_period(wh, PERIOD, gateway_for(server, "json2", timeout=1.0))
    assert early.created == 0    # within settle_seconds nothing is created again
    time.sleep(1.0)
    report = post_period(wh, PERIOD, gateway_for(server, "json2"))
    # On a loaded machine the late create can land before the early run searches: that run
    # then adopts and posts the invoices. Either way each is posted once, by one of the runs.
    assert (early.posted + report.posted, report.held) == (8, [])
    assert report.already_posted == early.posted
    assert refs(server) == sorted(rated_totals(wh))


@pytest.mark.slow
def test_a_create_that_never_landed_is_made_once_odoo_has_settled(
        server: OdooTestServer, wh: Path) -> None:
    bad = "C3/nexacloud/2026-10"
    server.inject(Fault("drop_before", model="account.move", method="create"))
    server.inject(Fault("reject", model="account.move", method="create", times=100,
                        predicate=lambda p: any(v.get("x_fc_billing_key") == bad
                                                for v in p.get("vals_list", []))))
    with pytest.raises(PostingFailed):
        post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
    report = post_period(wh, PERIOD, gateway_for(server, "jsonrpc"), NOW)
    assert [(k, s) for k, s, _ in report.held] == [(bad, "rejected")]
    assert report.posted == 7 and len(server.records("account.move")) == 7


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["drop_before", "late"])
def test_a_lost_partner_create_stops_the_run_and_makes_no_second_partner(
        server: OdooTestServer, wh: Path, fault: str) -> None:
    server.inject(Fault(fault, model="res.partner", method="create", seconds=1.5))
    with pytest.raises(PostingFailed, match="creating partners"):
        post_period(wh, PERIOD, gateway_for(server, "json2", timeout=1.0))
    time.sleep(1.0)
    report = post_period(wh, PERIOD, gateway_for(server, "json2"))
    assert report.posted == 8
    assert refs(server, "res.partner") == ["C1", "C2", "C3", "C4"]


@pytest.mark.slow
def test_a_cancelled_invoice_is_held_and_fails_the_check(server: OdooTestServer,
                                                         wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    key = "C1/nexacloud/2026-10"
    server.execute("account.move", "button_cancel", [move_of(server, key)["id"]])
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [(key, "cancelled_in_odoo")]
    assert failing(wh) == [key]


@pytest.mark.slow
def test_a_second_odoo_invoice_under_our_key_fails_the_check(server: OdooTestServer,
                                                             wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    key = "C2/nexamaps/2026-10"
    server.execute("account.move", "create", vals_list=[{
        "move_type": "out_invoice", "partner_id": move_of(server, key)["partner_id"],
        "ref": key, "invoice_line_ids": [[0, 0, {"name": "x", "quantity": 1,
                                                  "price_unit": 5}]]}])
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [(key, "duplicate_in_odoo")]
    assert failing(wh) == [key]


@pytest.mark.slow
def test_a_posted_invoice_left_in_draft_after_the_close_fails_the_check(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    key = "C4/nexamaps/2026-10"
    server.execute("account.move", "button_draft", [move_of(server, key)["id"]])
    post_period(wh, PERIOD, gateway)
    assert failing(wh) == [key]


@pytest.mark.slow
def test_two_products_with_one_code_hold_the_invoices_that_need_it(server: OdooTestServer,
                                                                   wh: Path) -> None:
    for name in ("Tiles A", "Tiles B"):
        server.execute("product.product", "create", vals_list=[
            {"name": name, "default_code": "NM-TILES", "type": "service"}])
    report = post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
    assert {k for k, _, _ in report.held} == {f"C{n}/nexamaps/2026-10" for n in range(1, 5)}
    assert report.posted == 4


@pytest.mark.slow
def test_an_archived_partner_is_found_not_created_again(server: OdooTestServer,
                                                        wh: Path) -> None:
    server.execute("res.partner", "create", vals_list=[{"name": "Old C1", "ref": "C1",
                                                        "active": False}])
    post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
    assert refs(server, "res.partner") == ["C1", "C2", "C3", "C4"]


@pytest.mark.slow
def test_a_change_of_odoo_precision_is_not_a_change_of_posted_invoices(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    set_price_digits(server, 7)
    assert post_period(wh, PERIOD, gateway).held == []
    set_price_digits(server, 1)      # now nothing can be posted exactly...
    report = post_period(wh, PERIOD, gateway)
    assert {s for _, s, _ in report.held} == {"not_postable"}
    assert report.states["not_postable"] == len(report.held)
    # ...but what is posted stays recorded as posted, and is not flagged once fixed.
    assert table(wh, "odoo_postings", "DISTINCT state") == [("posted",)]
    set_price_digits(server, 2)
    assert post_period(wh, PERIOD, gateway).held == []


@pytest.mark.slow
def test_a_failure_after_a_split_post_counts_what_is_posted(server: OdooTestServer,
                                                            wh: Path) -> None:
    server.inject(Fault("reject", model="account.move", method="action_post"))
    server.inject(Fault("drop_before", model="account.move", method="action_post", skip=1))
    with pytest.raises(PostingFailed) as failed:
        post_period(wh, PERIOD, gateway_for(server, "jsonrpc"))
    posted = sum(m["state"] == "posted" for m in server.records("account.move"))
    assert posted == 4
    assert f"{posted} of 8 invoices are posted" in str(failed.value)
    assert post_period(wh, PERIOD, gateway_for(server, "jsonrpc")).posted == 4


@pytest.mark.fast
def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PostingOptions(batch_size=0)


@pytest.mark.slow
def test_invoices_posted_under_ref_by_an_earlier_version_are_found_not_created_again(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    for move in server.records("account.move"):  # as versions before x_fc_billing_key posted
        server.execute("account.move", "write", [move["id"]],
                       vals={"ref": move["x_fc_billing_key"], "x_fc_billing_key": False})
    report = post_period(wh, PERIOD, gateway)
    assert (report.created, report.already_posted, report.held) == (0, 8, [])
    assert refs(server, "account.move") == [] and len(server.records("account.move")) == 8
    assert table(wh, "reconciliation_odoo", "DISTINCT status") == [("match",)]


def move_state(server: OdooTestServer, key: str) -> str:
    return str(move_of(server, key)["state"])


def ledger_state(wh: Path, key: str) -> str:
    return str(dict(table(wh, "odoo_postings", "invoice_key, state"))[key])


@pytest.mark.slow
def test_an_invoice_reset_to_draft_stays_with_accounting_until_they_post_it(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    key = "C1/nexacloud/2026-10"
    server.execute("account.move", "button_draft", [move_of(server, key)["id"]])
    for _ in range(2):  # every run leaves it alone
        report = post_period(wh, PERIOD, gateway)
        assert [(k, s) for k, s, _ in report.held] == [(key, "reset_to_draft_in_odoo")]
        assert move_state(server, key) == "draft"
    server.execute("account.move", "action_post", [move_of(server, key)["id"]])
    report = post_period(wh, PERIOD, gateway)  # posted again as it was: ours, lines compared
    assert (report.held, ledger_state(wh, key)) == ([], "posted")


@pytest.mark.slow
def test_a_changed_invoice_stays_flagged_when_accounting_reposts_it_unchanged(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway)
    key = "C2/nexacloud/2026-10"
    move_a_dollar_between_lines(wh, key)  # the rated lines change, the total does not
    post_period(wh, PERIOD, gateway)
    move_id = move_of(server, key)["id"]
    server.execute("account.move", "button_draft", [move_id])
    post_period(wh, PERIOD, gateway)
    server.execute("account.move", "action_post", [move_id])
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [(key, "changed_after_posting")]


@pytest.mark.slow
def test_a_draft_posted_by_hand_with_other_lines_is_flagged_not_adopted(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    key = "C1/nexacloud/2026-10"
    move = move_of(server, key)
    lines = [ln for ln in server.records("account.move.line") if ln["move_id"] == move["id"]]
    first, second = lines[0], lines[1]  # 1.00 moved between two lines: the total stays
    server.execute("account.move.line", "write", [first["id"]],
                   vals={"price_unit": first["price_unit"] + 1})
    server.execute("account.move.line", "write", [second["id"]],
                   vals={"price_unit": second["price_unit"] - 1})
    server.execute("account.move", "action_post", [move["id"]])
    report = post_period(wh, PERIOD, gateway)
    assert [(k, s) for k, s, _ in report.held] == [(key, "changed_after_posting")]


@pytest.mark.slow
def test_a_refused_rewrite_is_written_again_never_posted_stale(server: OdooTestServer,
                                                                wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    key = "C2/nexacloud/2026-10"
    with duckdb.connect(str(wh)) as con:  # the wording changes, the amounts do not
        con.execute("UPDATE invoice_lines SET description = 'Corrected wording' "
                    "WHERE invoice_key = ? AND line_number = 1", [key])
    server.inject(Fault("reject", model="account.move", method="write", times=1))
    refused = post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    assert [(k, s) for k, s, _ in refused.held] == [(key, "rejected")]
    report = post_period(wh, PERIOD, gateway)
    assert report.held == [] and move_state(server, key) == "posted"
    names = [ln["name"] for ln in server.records("account.move.line")
             if ln["move_id"] == move_of(server, key)["id"]]
    assert any(name.startswith("Corrected wording") for name in names)


@pytest.mark.slow
def test_a_draft_an_earlier_version_keyed_in_ref_is_rewritten_with_the_key_moved(
        server: OdooTestServer, wh: Path) -> None:
    gateway = gateway_for(server, "jsonrpc")
    post_period(wh, PERIOD, gateway, PostingOptions(post=False))
    for move in server.records("account.move"):
        server.execute("account.move", "write", [move["id"]],
                       vals={"ref": move["x_fc_billing_key"], "x_fc_billing_key": False})
    report = post_period(wh, PERIOD, gateway)
    assert (report.held, report.created, report.updated, report.posted) == ([], 0, 8, 8)
    moves = server.records("account.move")
    assert {m["ref"] for m in moves} == {False}
    assert sorted(m["x_fc_billing_key"] for m in moves) == sorted(rated_totals(wh))
