"""What an accountant sees in Odoo: the setup posting needs, and invoices booked as services.

Against the test server (tests/support/odoo_server.py) over both transports: `fusion-rating odoo
setup` plans without changing anything and applies idempotently; posting refuses an Odoo that is
not set up, naming what is missing; a posted invoice keeps its key out of the customer's sight,
books service revenue per service with its analytic account, payment term and units, and
addresses the partner in the customer's language; a period inside Odoo's lock date is booked on
the first open date, and the run says so."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating.catalog import load_catalog
from rating.odoo import gateway as odoo
from rating.odoo import setup as odoo_setup
from rating.odoo.posting import PostingFailed, PostingOptions, post_period
from rating.odoo.view import invoice_text
from tests.support.odoo_server import SERVICES_ACCOUNT, OdooTestServer
from tests.support.posting import (
    CATALOG,
    PERIOD,
    apply_setup,
    gateway_for,
    rated_period,
    settings_for,
)

TRANSPORTS = ("jsonrpc", "json2")
D = Decimal


@pytest.fixture
def server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as running:
        yield running


def bare_gateway(server: OdooTestServer, transport: str) -> odoo.Gateway:
    """A gateway to an Odoo nobody has set up."""
    return odoo.connect(settings_for(server, transport, set_up_first=False))


def needs() -> odoo_setup.Needs:
    return odoo_setup.Needs.for_catalog(load_catalog(CATALOG), price_digits=7)


def by_name(server: OdooTestServer, model: str, key: str = "name") -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in server.records(model)}


@pytest.mark.fast
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_setup_plans_without_changing_anything_then_applies_once(server: OdooTestServer,
                                                                 transport: str) -> None:
    gateway = bare_gateway(server, transport)
    planned = odoo_setup.plan(gateway, needs())
    assert not any(c.method in ("create", "write") for c in server.calls)
    statuses = {(s.kind, s.name): s.status for s in planned}
    assert statuses[("custom field", "account.move.x_fc_billing_key")] == "create"
    assert statuses[("unit of measure", "tiles")] == "create"
    assert statuses[("unit of measure", "Units")] == "ok"
    assert statuses[("income account", "411200")] == "ok"
    assert statuses[("product category", "NexaCloud hosting")] == "create"
    assert statuses[("payment term", "30 Days")] == "ok"
    assert statuses[("setting", "Analytic Accounting")] == "change"
    assert statuses[("language", "fr_CA")] == "change"
    assert statuses[("precision", "Product Price")] == "change"

    done, after = odoo_setup.apply(gateway, needs())
    assert done and [s.describe() for s in after if s.status != "ok"] == []
    categories = by_name(server, "product.category")
    assert categories["NexaCloud hosting"]["property_account_income_categ_id"] == \
        SERVICES_ACCOUNT
    assert by_name(server, "res.lang", "code")["fr_CA"]["active"] is True
    assert by_name(server, "decimal.precision")["Product Price"]["digits"] == 7
    [plan] = server.records("account.analytic.plan")
    assert sorted(a["name"] for a in server.records("account.analytic.account")) == sorted(
        s.name for s in load_catalog(CATALOG).services)
    assert all(a["plan_id"] == plan["id"] for a in server.records("account.analytic.account"))

    writes = len([c for c in server.calls if c.method in ("create", "write")])
    again, _ = odoo_setup.apply(gateway, needs())
    assert again == []
    assert len([c for c in server.calls if c.method in ("create", "write")]) == writes


@pytest.mark.fast
def test_setup_names_what_it_cannot_create(server: OdooTestServer) -> None:
    catalog = load_catalog(CATALOG)
    wanted = odoo_setup.Needs(units=frozenset({"Units"}), bookings=tuple(
        dataclasses.replace(s.odoo, income_account="499999", journal="NOPE",
                           payment_term="Net 7", product_category=s.name,
                           analytic_account=s.name) for s in catalog.services[:1]))
    steps = odoo_setup.plan(bare_gateway(server, "json2"), wanted)
    missing = {(s.kind, s.name): s.detail for s in odoo_setup.blocking(steps)}
    assert missing[("income account", "499999")] == "not in Odoo's chart of accounts"
    assert "income account 499999 is missing" in missing[("product category", "Custom apps")]
    assert ("journal", "NOPE") in missing and ("payment term", "Net 7") in missing


@pytest.mark.engine
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_posting_refuses_an_odoo_that_is_not_set_up(server: OdooTestServer, posting_wh: Path,
                                                    transport: str) -> None:
    with pytest.raises(PostingFailed, match=r"not set up.*x_fc_billing_key.*odoo setup --apply"):
        post_period(posting_wh, PERIOD, bare_gateway(server, transport))
    assert server.records("account.move") == [] and server.records("res.partner") == []


@pytest.mark.slow
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_posted_invoice_is_booked_as_an_accountant_expects(server: OdooTestServer,
                                                             posting_wh: Path,
                                                             transport: str) -> None:
    gateway = gateway_for(server, transport)  # set up as `odoo setup --apply` does
    options = PostingOptions.for_catalog(load_catalog(CATALOG))
    report = post_period(posting_wh, PERIOD, gateway, options)
    assert report.held == [] and report.notes == []
    move = next(m for m in server.records("account.move")
                if m["x_fc_billing_key"] == "C2/nexacloud/2026-10")
    # The key is where the customer does not see it; the invoice says what it bills.
    assert (move["ref"], move["invoice_origin"]) == (False, "NexaCloud hosting usage, October 2026")
    assert (move["invoice_date"], move["date"]) == ("2026-10-31", "2026-10-31")
    terms = {t["id"]: t["name"] for t in server.records("account.payment.term")}
    assert terms[move["invoice_payment_term_id"]] == "30 Days"
    lines = [line for line in server.records("account.move.line")
             if line["move_id"] == move["id"]]
    analytic = by_name(server, "account.analytic.account")["NexaCloud hosting"]["id"]
    assert {line["account_id"] for line in lines} == {SERVICES_ACCOUNT}
    assert all(line["analytic_distribution"] == {str(analytic): D(100)} for line in lines)
    units = {u["id"]: u["name"] for u in server.records("uom.uom")}
    # 4 peak instances at 8.00 carry their quantity in their unit; 87.5 vCPU hours at 0.045
    # (not exact at Odoo's 2 price digits) are 1 x the amount, in Units.
    shown = {(line["quantity"], units[line["product_uom_id"]], line["price_unit"])
             for line in lines}
    assert {(D(4), "instances", D(8)), (D(1), "Units", D("3.94"))} <= shown
    # One number format in a description: the catalog's template and the tiers alike.
    tiles = next(line for line in server.records("account.move.line")
                 if line["name"].startswith("Map tiles") and line["move_id"] == next(
                     m["id"] for m in server.records("account.move")
                     if m["x_fc_billing_key"] == "C2/nexamaps/2026-10"))
    assert tiles["name"] == ("Map tiles (October 2026): 1,090,000 tiles. Charged: 1,080,000 "
                             "tiles at 0.0000125")

    partner = next(p for p in server.records("res.partner") if p["ref"] == "C2")
    assert (partner["street"], partner["city"], partner["zip"], partner["lang"]) == (
        "1000 Rue De La Gauchetière O", "Montréal", "H3B 4W5", "fr_CA")
    ontario = next(p for p in server.records("res.partner") if p["ref"] == "C1")
    assert ontario["lang"] is False  # Odoo's default


@pytest.mark.slow
def test_a_french_customer_waits_for_french_to_be_installed(posting_wh: Path) -> None:
    with OdooTestServer() as server:
        gateway = gateway_for(server, "json2")
        french = next(r for r in server.records("res.lang") if r["code"] == "fr_CA")
        server.execute("res.lang", "write", [french["id"]], vals={"active": False})
        report = post_period(posting_wh, PERIOD, gateway)
        assert report.held == []  # Odoo refuses an invoice for a partner in an inactive language
        partner = next(p for p in server.records("res.partner") if p["ref"] == "C2")
        assert partner["lang"] is False


@pytest.mark.slow
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_locked_period_is_booked_on_the_first_open_date(server: OdooTestServer,
                                                          posting_wh: Path,
                                                          transport: str) -> None:
    gateway = gateway_for(server, transport)
    [company] = server.records("res.company")
    server.execute("res.company", "write", [company["id"]], vals={"sale_lock_date": "2026-10-31"})
    report = post_period(posting_wh, PERIOD, gateway)
    assert report.held == []
    assert report.notes == ["2026-10 is inside Odoo's lock date (2026-10-31): invoices dated "
                            "2026-10-31 are booked on 2026-11-01, the first open date"]
    moves = server.records("account.move")
    assert {(m["invoice_date"], m["date"], m["state"]) for m in moves} == {
        ("2026-10-31", "2026-11-01", "posted")}


@pytest.mark.fast
def test_the_accounting_date_moves_past_the_lock_date_only() -> None:
    from rating.odoo.records import accounting_date

    last_day = dt.date(2026, 10, 31)
    assert accounting_date(last_day, None) == last_day
    assert accounting_date(last_day, dt.date(2026, 9, 30)) == last_day
    assert accounting_date(last_day, dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


@pytest.mark.fast
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_call_says_what_odoo_said_where_and_what_to_do(server: OdooTestServer,
                                                                 transport: str) -> None:
    gateway = bare_gateway(server, transport)
    [move_id] = gateway.call("account.move", "create", vals_list=[{"move_type": "out_invoice"}])
    with pytest.raises(odoo.OdooError) as refused:
        gateway.call("account.move", "action_post", [move_id])
    assert str(refused.value) == (
        "Odoo refused account.move.action_post (odoo.exceptions.UserError: Even magicians "
        "can't post nothing!); fix what Odoo names (in Odoo, the catalog or the account "
        "links), then run `fusion-rating post` again; the other invoices are not held by "
        "this one")


@pytest.mark.fast
def test_jsonrpc_sends_the_ids_and_creates_values_by_position() -> None:
    # Odoo's call_kw reads args[0] for a record method's ids and to shape create's answer.
    assert odoo.positional_call("create", None, {"vals_list": [{"name": "x"}]}) == (
        [[{"name": "x"}]], {})
    assert odoo.positional_call("write", [7], {"vals": {"name": "x"}}) == (
        [[7]], {"vals": {"name": "x"}})
    assert odoo.positional_call("search_read", None, {"domain": [], "limit": 1}) == (
        [], {"domain": [], "limit": 1})


@pytest.mark.engine
def test_a_json2_database_odoo_does_not_serve_is_a_clear_refusal(server: OdooTestServer,
                                                                 posting_wh: Path) -> None:
    settings = dataclasses.replace(settings_for(server, "json2", set_up_first=False),
                                   database="nexa-typo")
    with pytest.raises(PostingFailed, match=r"no database 'nexa-typo' at this URL \(check "
                                            r"ODOO_URL and ODOO_DB\)"):
        post_period(posting_wh, PERIOD, odoo.connect(settings))


LIVE = pytest.mark.odoo_live


@pytest.fixture(params=[*TRANSPORTS, pytest.param("live-jsonrpc", marks=LIVE),
                        pytest.param("live-json2", marks=LIVE)])
def any_odoo(request: pytest.FixtureRequest, tmp_path: Path
             ) -> Iterator[tuple[odoo.Gateway, Path, str]]:
    """(gateway set up for posting, warehouse, customer key prefix) on the test server or,
    marked odoo_live, on the real Odoo of ODOO_URL, with each transport."""
    where, _, transport = str(request.param).rpartition("-")
    if where == "live":
        settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": transport})
        if settings is None:
            pytest.skip("no ODOO_URL: the live Odoo test is skipped")
        prefix = f"FA{uuid.uuid4().hex[:8].upper()}-"
        gateway = odoo.connect(settings)
        apply_setup(gateway)  # what an operator runs once: idempotent
        yield gateway, rated_period(tmp_path, prefix=prefix), prefix
        return
    with OdooTestServer() as running:
        yield gateway_for(running, transport), rated_period(tmp_path), "C"


@pytest.mark.slow
def test_the_accountants_view_of_a_quebec_invoice(any_odoo: tuple[odoo.Gateway, Path, str]
                                                  ) -> None:
    gateway, wh, prefix = any_odoo
    report = post_period(wh, PERIOD, gateway, PostingOptions.for_catalog(load_catalog(CATALOG)))
    assert report.held == []
    key = f"{prefix}2/nexacloud/2026-10"  # the second customer is in Quebec
    [move] = gateway.call("account.move", "search_read", domain=[["x_fc_billing_key", "=", key]],
                          fields=["ref", "invoice_origin", "invoice_date", "state", "partner_id",
                                  "invoice_payment_term_id", "amount_untaxed"])
    assert (move["ref"], move["invoice_origin"], move["invoice_date"], move["state"]) == (
        False, "NexaCloud hosting usage, October 2026", "2026-10-31", "posted")
    assert move["invoice_payment_term_id"][1] == "30 Days"
    [partner] = gateway.call("res.partner", "read", [move["partner_id"][0]],
                             fields=["street", "city", "zip", "lang"])
    assert (partner["street"], partner["city"], partner["zip"], partner["lang"]) == (
        "1000 Rue De La Gauchetière O", "Montréal", "H3B 4W5", "fr_CA")
    lines = gateway.call("account.move.line", "search_read",
                         domain=[["move_id", "=", move["id"]], ["display_type", "=", "product"]],
                         fields=["quantity", "product_uom_id", "price_unit", "account_id",
                                 "analytic_distribution"])
    accounts = {a["id"]: a["code"] for a in gateway.call(
        "account.account", "read", sorted({ln["account_id"][0] for ln in lines}),
        fields=["code"])}
    assert {accounts[ln["account_id"][0]] for ln in lines} == {"411200"}
    [analytic] = gateway.call("account.analytic.account", "search_read",
                              domain=[["name", "=", "NexaCloud hosting"]], fields=["id"])
    assert all(ln["analytic_distribution"] == {str(analytic["id"]): 100.0} for ln in lines)
    assert {(ln["quantity"], ln["product_uom_id"][1], ln["price_unit"]) for ln in lines} >= {
        (4.0, "instances", 8.0)}
    shown = invoice_text(gateway, key)  # `fusion-rating odoo invoice KEY`
    assert "Invoice date 2026-10-31; due 2026-11-30 (30 Days); source NexaCloud hosting usage, " \
        "October 2026; reference -" in shown
    assert "4 instances x 8 = 32.00; taxes " in shown and "; 411200 " in shown
    assert "Montréal Quebec" in shown and "language fr_CA" in shown
    assert D(str(move["amount_untaxed"])).quantize(D("0.01")) == sum(
        (D(str(ln["quantity"])) * D(str(ln["price_unit"])) for ln in lines), D(0)).quantize(
        D("0.01"))


@pytest.mark.fast
def test_setup_never_rebooks_a_category_someone_else_uses(server: OdooTestServer) -> None:
    [goods] = [a["id"] for a in server.records("account.account") if a["code"] == "411100"]
    [category] = server.execute("product.category", "create", vals_list=[
        {"name": "NexaCloud hosting", "property_account_income_categ_id": goods}])
    gateway = bare_gateway(server, "json2")
    _, after = odoo_setup.apply(gateway, needs())
    [step] = [s for s in after if s.name == "NexaCloud hosting" and s.kind == "product category"]
    assert step.status == "missing" and "another income account" in step.detail
    assert by_name(server, "product.category")["NexaCloud hosting"][
        "property_account_income_categ_id"] == goods
    assert not any(c.method == "write" and c.model == "product.category" for c in server.calls)
    assert step in odoo_setup.blocking(after)  # posting waits for a person's decision
    assert category
