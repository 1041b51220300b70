"""The Odoo test server behaves like Odoo 19 for odoorpc and JSON-2, and its faults do what they
say: these tests talk to it with the real odoorpc client and with plain urllib."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from tests.support.odoo_server import Call, Fault, OdooTestServer

DB, LOGIN, PASSWORD, API_KEY = "fusion", "admin", "admin", "test-api-key"


# ----------------------------------------------------------------------------------- helpers

def connect(server: OdooTestServer, timeout: float = 5) -> Any:
    """A logged-in odoorpc client."""
    odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=timeout)
    odoo.login(DB, LOGIN, PASSWORD)
    return odoo


@pytest.fixture
def odoo(odoo_server: OdooTestServer) -> Iterator[Any]:
    """A client of the test's server; afterwards, the server must have hit no bug of its own
    (those are answered as Odoo answers them, a 500, and would go unnoticed)."""
    yield connect(odoo_server)
    assert odoo_server.errors == []


def call(odoo: Any, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    return odoo.execute_kw(model, method, list(args), kwargs)


def rpc_error(odoo: Any, model: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The `data` of the Odoo error a call answers with."""
    with pytest.raises(odoorpc.error.RPCError) as caught:
        call(odoo, model, method, *args, **kwargs)
    info = caught.value.info
    assert info["code"] == 200 and info["message"] == "Odoo Server Error"
    return dict(info["data"])


def json2(server: OdooTestServer, model: str, method: str, body: dict[str, Any],
          key: str | None = API_KEY, headers: dict[str, str] | None = None,
          timeout: float = 5) -> tuple[int, Any]:
    """POST /json/2/<model>/<method>: (HTTP status, decoded JSON body)."""
    sent = {"Content-Type": "application/json", "X-Odoo-Database": DB, **(headers or {})}
    if key is not None:
        sent["Authorization"] = f"bearer {key}"
    request = urllib.request.Request(f"{server.url}/json/2/{model}/{method}",
                                     data=json.dumps(body).encode(), headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def raw_jsonrpc(server: OdooTestServer, path: str, params: dict[str, Any]) -> tuple[int, Any]:
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": 7}
    request = urllib.request.Request(f"{server.url}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.load(response)


def ref_id(odoo: Any, model: str, domain: list[Any]) -> int:
    ids = call(odoo, model, "search", domain)
    assert len(ids) == 1, (model, domain, ids)
    return int(ids[0])


def partner(odoo: Any, name: str, country: str | None = "CA", province: str | None = "ON",
            **vals: Any) -> int:
    if country:
        vals["country_id"] = ref_id(odoo, "res.country", [["code", "=", country]])
    if province:  # a many2one compares by id (a text would be compared with the name)
        vals["state_id"] = ref_id(odoo, "res.country.state", [
            ["code", "=", province], ["country_id", "=", vals["country_id"]]])
    return int(call(odoo, "res.partner", "create", {"name": name, **vals}))


def product(odoo: Any, code: str = "CPU", **vals: Any) -> int:
    return int(call(odoo, "product.product", "create",
                    {"name": f"{code} usage", "default_code": code, "type": "service", **vals}))


def tax(odoo: Any, name: str) -> int:
    return ref_id(odoo, "account.tax", [["name", "=", name]])


def invoice(odoo: Any, partner_id: int | bool, *lines: tuple[int, float, float],
            **vals: Any) -> int:
    """A draft customer invoice with (product, quantity, price) lines."""
    commands = [[0, 0, {"product_id": p, "quantity": q, "price_unit": u}] for p, q, u in lines]
    return int(call(odoo, "account.move", "create", {
        "move_type": "out_invoice", "partner_id": partner_id, "invoice_date": "2026-03-31",
        "invoice_line_ids": commands, **vals}))


def amounts(odoo: Any, move_id: int) -> tuple[float, float, float]:
    [move] = call(odoo, "account.move", "read", [move_id],
                  fields=["amount_untaxed", "amount_tax", "amount_total"])
    return move["amount_untaxed"], move["amount_tax"], move["amount_total"]


def count(server: OdooTestServer, model: str, **where: Any) -> int:
    return sum(all(r[k] == v for k, v in where.items()) for r in server.records(model))


@pytest.fixture
def fresh_server() -> Iterator[OdooTestServer]:
    """A server of the test's own, for tests that stop it themselves."""
    server = OdooTestServer().start()
    yield server
    server.stop()


# ------------------------------------------------------------------------ versions and login

@pytest.mark.fast
def test_version_is_answered_without_a_login(odoo_server: OdooTestServer) -> None:
    assert odoorpc.ODOO("127.0.0.1", port=odoo_server.port, timeout=5).version == "19.0"
    with urllib.request.urlopen(f"{odoo_server.url}/web/version", timeout=5) as response:
        assert json.load(response) == {"version": "19.0",
                                       "version_info": [19, 0, 0, "final", 0, ""]}
    status, answer = raw_jsonrpc(odoo_server, "/web/webclient/version_info", {})
    assert status == 200 and answer["id"] == 7
    assert answer["result"]["server_version_info"] == [19, 0, 0, "final", 0, ""]
    assert answer["result"]["protocol_version"] == 1
    _, version = raw_jsonrpc(odoo_server, "/jsonrpc",
                             {"service": "common", "method": "version", "args": []})
    assert version["result"]["server_serie"] == "19.0"


@pytest.mark.fast
def test_login_gives_the_user_context_and_refuses_a_wrong_password(
        odoo_server: OdooTestServer) -> None:
    odoo = connect(odoo_server)
    assert odoo.env.uid == 2
    assert odoo.env.context["lang"] == "en_CA" and odoo.env.context["tz"] == "America/Toronto"
    refused = odoorpc.ODOO("127.0.0.1", port=odoo_server.port, timeout=5)
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login ID or password"):
        refused.login(DB, LOGIN, "wrong")
    for args in ([DB, "nobody", PASSWORD], ["other", LOGIN, PASSWORD]):
        _, answer = raw_jsonrpc(odoo_server, "/jsonrpc",
                                {"service": "common", "method": "login", "args": args})
        assert answer["result"] is False
    _, answer = raw_jsonrpc(odoo_server, "/jsonrpc", {
        "service": "common", "method": "authenticate", "args": [DB, LOGIN, API_KEY, {}]})
    assert answer["result"] == 2  # an API key works as the password


@pytest.mark.fast
def test_object_call_with_wrong_credentials_is_access_denied(
        odoo_server: OdooTestServer) -> None:
    for db, uid, password in ((DB, 2, "wrong"), ("other", 2, PASSWORD), (DB, 99, PASSWORD)):
        status, answer = raw_jsonrpc(odoo_server, "/jsonrpc", {
            "service": "object", "method": "execute_kw",
            "args": [db, uid, password, "res.partner", "search", [[]], {}]})
        assert status == 200 and answer["id"] == 7 and "result" not in answer
        assert answer["error"]["code"] == 200
        data = answer["error"]["data"]
        assert data["name"] == "odoo.exceptions.AccessDenied"
        assert data["message"] == "Access Denied" and data["arguments"] == ["Access Denied"]
        assert data["debug"].startswith("Traceback") and data["context"] == {}
    assert [c.ok for c in odoo_server.calls] == [False, False, False]


# ------------------------------------------------------------------------------------- CRUD

@pytest.mark.fast
def test_create_a_partner_and_find_it_by_ref(odoo: Any) -> None:
    created = partner(odoo, "Maple Analytics", ref="CUST-001", email="ap@maple.example",
                      customer_rank=1, is_company=True)
    partner(odoo, "Other Co", ref="CUST-002")
    found = call(odoo, "res.partner", "search_read", [["ref", "=", "CUST-001"]],
                 fields=["name", "email", "active", "customer_rank", "display_name"])
    assert found == [{"id": created, "name": "Maple Analytics", "email": "ap@maple.example",
                      "active": True, "customer_rank": 1, "display_name": "Maple Analytics"}]
    # `execute` (positional, what odoorpc's login uses) reaches the same implementation.
    assert odoo.execute("res.partner", "search", [["ref", "=", "CUST-001"]]) == [created]
    [whole] = call(odoo, "res.partner", "read", [created])
    assert whole["id"] == created and whole["ref"] == "CUST-001" and whole["is_company"] is True


@pytest.mark.fast
def test_create_takes_one_dict_or_a_list_of_dicts(odoo: Any) -> None:
    one = call(odoo, "res.partner", "create", {"name": "One"})
    many = call(odoo, "res.partner", "create", [{"name": "Two"}, {"name": "Three"}])
    assert isinstance(one, int) and many == [one + 1, one + 2]
    assert call(odoo, "res.partner", "create", []) == []


@pytest.mark.fast
def test_many2one_reads_as_id_and_name_and_unset_as_false(odoo: Any) -> None:
    canada = ref_id(odoo, "res.country", [["code", "=", "CA"]])
    ontario = ref_id(odoo, "res.country.state", [["code", "=", "ON"]])
    located, nowhere = partner(odoo, "Located"), partner(odoo, "Nowhere", None, None)
    rows = call(odoo, "res.partner", "read", [located, nowhere],
                fields=["country_id", "state_id"])
    assert rows == [{"id": located, "country_id": [canada, "Canada"],
                     "state_id": [ontario, "Ontario"]},
                    {"id": nowhere, "country_id": False, "state_id": False}]
    move = invoice(odoo, located, (product(odoo), 1, 10))
    [line] = call(odoo, "account.move.line", "search_read", [["move_id", "=", move]],
                  fields=["move_id", "product_id", "tax_ids"])
    assert line["move_id"] == [move, "Draft Invoice"]  # Odoo 19: no number yet, no ref
    assert line["product_id"][1] == "[CPU] CPU usage"
    assert line["tax_ids"] == [tax(odoo, "HST 13%")]


@pytest.mark.fast
def test_missing_required_field_is_a_validation_error(odoo_server: OdooTestServer,
                                                      odoo: Any) -> None:
    data = rpc_error(odoo, "res.partner", "create", {"email": "x@example.com"})
    assert data["name"] == "odoo.exceptions.ValidationError"
    # Odoo 19's res.partner._check_name (real Odoo answers so; see test_odoo_conformance.py)
    assert data["message"] == "The operation cannot be completed: Contacts require a name"
    assert data["arguments"] == [data["message"]] and data["debug"].startswith("Traceback")
    data = rpc_error(odoo, "product.product", "create", {"list_price": 1})
    assert "Missing required value for the field 'Name' (name)" in data["message"]

    status, body = json2(odoo_server, "product.product", "create",
                         {"vals_list": [{"list_price": 1}]})
    assert status == 422
    assert set(body) == {"name", "message", "arguments", "context", "debug"}
    assert body["name"] == "odoo.exceptions.ValidationError"
    assert "(name)" in body["message"]
    assert odoo_server.records("res.partner") == [] == odoo_server.records("product.product")


@pytest.mark.fast
def test_unknown_field_is_a_value_error_in_domain_fields_and_values(
        odoo_server: OdooTestServer, odoo: Any) -> None:
    message = "Invalid field 'colour' on model 'res.partner'"
    for method, args, kwargs in (("search", [[["colour", "=", "red"]]], {}),
                                 ("search_read", [[]], {"fields": ["name", "colour"]}),
                                 ("create", [{"name": "X", "colour": "red"}], {})):
        data = rpc_error(odoo, "res.partner", method, *args, **kwargs)
        assert (data["name"], data["message"]) == ("builtins.ValueError", message), method
    existing = partner(odoo, "Existing")
    data = rpc_error(odoo, "res.partner", "write", [existing], {"colour": "red"})
    assert data["message"] == message
    status, body = json2(odoo_server, "res.partner", "search_read",
                         {"domain": [], "fields": ["colour"]})
    # a ValueError is no UserError: JSON-2 answers 500, as real Odoo does
    assert (status, body["name"], body["message"]) == (500, "builtins.ValueError", message)
    data = rpc_error(odoo, "res.partner", "search", [], order="colour desc")
    assert data["message"] == message


@pytest.mark.fast
def test_missing_related_record_and_wrong_selection_are_refused(odoo: Any) -> None:
    data = rpc_error(odoo, "res.partner", "create", {"name": "X", "country_id": 999})
    assert data["name"] == "odoo.exceptions.MissingError"
    assert data["message"].startswith("Record does not exist or has been deleted.")
    data = rpc_error(odoo, "product.product", "create", {"name": "X", "taxes_id": [[6, 0, [99]]]})
    assert data["name"] == "odoo.exceptions.MissingError"
    data = rpc_error(odoo, "product.product", "create", {"name": "X", "type": "goods"})
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Wrong value for product.product.type: 'goods'"
    data = rpc_error(odoo, "res.partner", "write", [999], {"name": "Gone"})
    assert data["name"] == "odoo.exceptions.MissingError"
    assert call(odoo, "res.partner", "read", [999]) == []  # read() leaves deleted records out


# -------------------------------------------------------------------------- amounts and taxes

@pytest.mark.fast
def test_price_and_quantity_are_rounded_to_odoo_precision(odoo: Any) -> None:
    move = invoice(odoo, partner(odoo, "Acme"), (product(odoo), 1.005, 0.0000125))
    [line] = call(odoo, "account.move.line", "search_read", [["move_id", "=", move]],
                  fields=["quantity", "price_unit", "price_subtotal"])
    assert (line["quantity"], line["price_unit"], line["price_subtotal"]) == (1.01, 0.0, 0.0)
    assert amounts(odoo, move) == (0.0, 0.0, 0.0)


@pytest.mark.fast
def test_more_price_digits_keep_a_small_unit_price() -> None:
    with OdooTestServer(price_digits=7, quantity_digits=4) as server:
        odoo = connect(server)
        move = invoice(odoo, partner(odoo, "Acme"), (product(odoo), 80000, 0.0000125))
        [line] = call(odoo, "account.move.line", "search_read", [["move_id", "=", move]],
                      fields=["price_unit", "price_subtotal"])
        assert line == {"id": line["id"], "price_unit": 0.0000125, "price_subtotal": 1.0}
        [stored] = server.records("account.move.line")
        assert str(stored["price_unit"]) == "0.0000125"  # kept exactly, as a Decimal
        digits = call(odoo, "decimal.precision", "search_read", [], fields=["name", "digits"])
        assert {d["name"]: d["digits"] for d in digits} == {
            "Product Price": 7, "Product Unit": 4, "Discount": 2}


@pytest.mark.fast
@pytest.mark.parametrize(("country", "province", "tax_name", "expected"), [
    ("CA", "ON", "HST 13%", (1234.56, 160.49, 1395.05)),
    ("CA", "QC", "GST 5%", (1234.56, 61.73, 1296.29)),
    ("US", "NY", None, (1234.56, 0.0, 1234.56)),
])
def test_taxes_follow_the_customer_province(odoo: Any, country: str, province: str,
                                            tax_name: str | None,
                                            expected: tuple[float, float, float]) -> None:
    customer = partner(odoo, "Customer", country, province)
    move = invoice(odoo, customer, (product(odoo), 1, 1000), (product(odoo, "GPU"), 2, 117.28))
    assert amounts(odoo, move) == expected
    lines = call(odoo, "account.move.line", "search_read", [["move_id", "=", move]],
                 fields=["tax_ids"])
    assert [line["tax_ids"] for line in lines] == [[tax(odoo, tax_name)] if tax_name else []] * 2


@pytest.mark.fast
def test_tax_is_rounded_globally_by_default(odoo: Any) -> None:
    # ca_2023's round_globally: round(3 x 0.013) = 0.04 (tests/odoo/test_conformance.py holds
    # the rule to a real Odoo).
    cpu = product(odoo)
    move = invoice(odoo, partner(odoo, "Acme"), (cpu, 1, 0.1), (cpu, 1, 0.1), (cpu, 1, 0.1))
    assert amounts(odoo, move) == (0.3, 0.04, 0.34)


@pytest.mark.fast
def test_tax_is_rounded_per_line_when_the_company_says_so(odoo: Any) -> None:
    # 0.13 x 0.10 = 0.013 -> 0.01 on each of three lines: 0.03, not round(0.039) = 0.04.
    [company] = call(odoo, "res.company", "search_read", [], fields=["id"])
    call(odoo, "res.company", "write", [company["id"]],
         {"tax_calculation_rounding_method": "round_per_line"})
    cpu = product(odoo)
    move = invoice(odoo, partner(odoo, "Acme"), (cpu, 1, 0.1), (cpu, 1, 0.1), (cpu, 1, 0.1))
    assert amounts(odoo, move) == (0.3, 0.03, 0.33)


@pytest.mark.fast
def test_price_included_tax_gives_untaxed_total_over_1_13(odoo: Any) -> None:
    included = product(odoo, "INCL", taxes_id=[tax(odoo, "HST 13% incl.")])
    for country, province in (("CA", "ON"), ("US", "NY")):  # kept for every customer
        move = invoice(odoo, partner(odoo, "Acme", country, province), (included, 1, 100))
        assert amounts(odoo, move) == (88.5, 11.5, 100.0)  # 100 / 1.13 = 88.4956 -> 88.50
    move = invoice(odoo, partner(odoo, "Acme"), (included, 2, 56.5))
    assert amounts(odoo, move) == (100.0, 13.0, 113.0)


# ---------------------------------------------------------------------------- posting rules

@pytest.mark.fast
def test_action_post_numbers_invoices_in_sequence(odoo: Any) -> None:
    customer, cpu = partner(odoo, "Acme"), product(odoo)
    first, second = invoice(odoo, customer, (cpu, 1, 5)), invoice(odoo, customer, (cpu, 2, 5))
    assert call(odoo, "account.move", "action_post", [first]) is False
    call(odoo, "account.move", "action_post", [second])
    moves = call(odoo, "account.move", "read", [first, second],
                 fields=["name", "state", "payment_state", "display_name"])
    assert [(m["name"], m["state"], m["payment_state"]) for m in moves] == [
        ("INV/2026/00001", "posted", "not_paid"), ("INV/2026/00002", "posted", "not_paid")]
    assert moves[0]["display_name"] == "INV/2026/00001"
    data = rpc_error(odoo, "account.move", "action_post", [first])
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"] == f"The entry INV/2026/00001 (id {first}) must be in draft."


@pytest.mark.fast
def test_action_post_dates_an_undated_invoice_today(odoo: Any) -> None:
    move = invoice(odoo, partner(odoo, "Acme"), (product(odoo), 1, 5), invoice_date=False)
    call(odoo, "account.move", "action_post", [move])
    [posted] = call(odoo, "account.move", "read", [move], fields=["name", "invoice_date"])
    today = dt.date.today()
    assert posted["invoice_date"] == today.isoformat()
    assert posted["name"] == f"INV/{today.year}/00001"


@pytest.mark.fast
def test_action_post_needs_lines_and_a_customer(odoo_server: OdooTestServer,
                                                odoo: Any) -> None:
    empty = invoice(odoo, partner(odoo, "Acme"))
    data = rpc_error(odoo, "account.move", "action_post", [empty])
    assert (data["name"], data["message"]) == ("odoo.exceptions.UserError",
                                               "Even magicians can't post nothing!")
    anonymous = invoice(odoo, False, (product(odoo), 1, 5))
    data = rpc_error(odoo, "account.move", "action_post", [anonymous])
    assert "The 'Customer' field is required to validate the invoice." in data["message"]
    # Posting both at once fails as a whole: the first, valid, one is not posted either.
    good = invoice(odoo, partner(odoo, "Beta"), (product(odoo, "GPU"), 1, 5))
    rpc_error(odoo, "account.move", "action_post", [good, empty])
    assert {m["state"] for m in odoo_server.records("account.move")} == {"draft"}
    status, body = json2(odoo_server, "account.move", "action_post", {"ids": [empty]})
    assert (status, body["name"]) == (422, "odoo.exceptions.UserError")


@pytest.mark.fast
def test_posted_move_cannot_be_written_or_deleted(odoo: Any) -> None:
    move = invoice(odoo, partner(odoo, "Acme"), (product(odoo), 1, 5))
    call(odoo, "account.move", "action_post", [move])
    message = "You cannot modify a posted entry of this journal."
    # Real Odoo lets the ref of a posted move be written, not its lines or partner.
    assert call(odoo, "account.move", "write", [move], {"ref": "changed"}) is True
    for name, value in (("invoice_line_ids", [[5, 0, 0]]), ("partner_id", False)):
        data = rpc_error(odoo, "account.move", "write", [move], {name: value})
        assert (data["name"], data["message"]) == (
            "odoo.exceptions.UserError",
            f"You cannot modify the following readonly fields on a posted move: {name}")
    [line] = call(odoo, "account.move", "read", [move], fields=["invoice_line_ids"])
    data = rpc_error(odoo, "account.move.line", "write", line["invoice_line_ids"],
                     {"price_unit": 1})
    assert data["message"] == message
    data = rpc_error(odoo, "account.move", "unlink", [move])
    assert data["name"] == "odoo.exceptions.UserError"
    data = rpc_error(odoo, "account.move", "write", [move], {"state": "draft"})
    assert data["name"] == "builtins.ValueError"  # state changes only through the actions


@pytest.mark.fast
def test_cancel_and_reset_to_draft_keep_the_number(odoo: Any) -> None:
    move = invoice(odoo, partner(odoo, "Acme"), (product(odoo), 1, 5))
    call(odoo, "account.move", "action_post", [move])
    assert call(odoo, "account.move", "button_draft", [move]) is None  # Odoo answers null
    call(odoo, "account.move", "write", [move], {"ref": "corrected"})
    call(odoo, "account.move", "action_post", [move])
    assert call(odoo, "account.move", "button_cancel", [move]) is None
    [cancelled] = call(odoo, "account.move", "read", [move], fields=["name", "state", "ref"])
    assert cancelled == {"id": move, "name": "INV/2026/00001", "state": "cancel",
                         "ref": "corrected"}
    data = rpc_error(odoo, "account.move", "write", [move], {"ref": "again"})
    assert data["name"] == "odoo.exceptions.UserError"
    data = rpc_error(odoo, "account.move", "button_cancel", [move])
    assert data["message"] == "Only draft journal entries can be cancelled."


@pytest.mark.fast
def test_invoice_line_commands_update_delete_and_clear(odoo: Any) -> None:
    cpu, gpu = product(odoo), product(odoo, "GPU")
    move = invoice(odoo, partner(odoo, "Acme"), (cpu, 1, 10), (gpu, 1, 20))
    first, second = call(odoo, "account.move", "read", [move],
                         fields=["invoice_line_ids"])[0]["invoice_line_ids"]
    call(odoo, "account.move", "write", [move], {"invoice_line_ids": [
        [1, first, {"quantity": 3, "name": "CPU, three"}], [2, second, 0],
        [0, 0, {"product_id": gpu, "price_unit": 1}]]})
    lines = call(odoo, "account.move.line", "search_read", [["move_id", "=", move]],
                 fields=["name", "quantity", "price_subtotal"])
    assert [(ln["name"], ln["quantity"], ln["price_subtotal"]) for ln in lines] == [
        ("CPU, three", 3.0, 30.0), ("GPU usage", 1.0, 1.0)]
    assert amounts(odoo, move) == (31.0, 4.03, 35.03)
    call(odoo, "account.move", "write", [move], {"invoice_line_ids": [[5, 0, 0]]})
    assert call(odoo, "account.move.line", "search_count", [["move_id", "=", move]]) == 0
    data = rpc_error(odoo, "account.move", "write", [move], {"invoice_line_ids": [[6, 0, []]]})
    assert data["name"] == "builtins.ValueError"


@pytest.mark.fast
def test_a_failed_call_leaves_nothing_behind(odoo_server: OdooTestServer, odoo: Any) -> None:
    data = rpc_error(odoo, "res.partner", "create",
                     [{"name": "Good", "ref": "B-1"}, {"ref": "B-2"}])
    assert data["name"] == "odoo.exceptions.ValidationError"
    assert call(odoo, "res.partner", "search_count", [["ref", "in", ["B-1", "B-2"]]]) == 0
    customer, cpu = partner(odoo, "Acme"), product(odoo)
    data = rpc_error(odoo, "account.move", "create", {
        "move_type": "out_invoice", "partner_id": customer, "invoice_line_ids": [
            [0, 0, {"product_id": cpu, "price_unit": 5}], [0, 0, {"product_id": 999}]]})
    assert data["name"] == "odoo.exceptions.MissingError"
    assert odoo_server.records("account.move") == []
    assert odoo_server.records("account.move.line") == []
    # Ids, like PostgreSQL's sequences, are not given back; move numbers are.
    moves = [invoice(odoo, customer, (cpu, 1, 5)) for _ in range(2)]
    call(odoo, "account.move", "action_post", moves[:1])
    rpc_error(odoo, "account.move", "action_post", [moves[1], 999])
    call(odoo, "account.move", "action_post", moves[1:])
    assert [m["name"] for m in odoo_server.records("account.move")] == [
        "INV/2026/00001", "INV/2026/00002"]


# -------------------------------------------------------------------------- search semantics

@pytest.mark.fast
def test_domains_orders_and_paging(odoo: Any) -> None:
    canada = ref_id(odoo, "res.country", [["code", "=", "CA"]])
    acme = partner(odoo, "Acme Corp", ref="A-1", customer_rank=1, email="a@acme.example")
    beta = partner(odoo, "Beta Inc", "US", "NY", ref="B-2", customer_rank=3)
    labs = partner(odoo, "acme labs", ref="A-3")

    def search(domain: list[Any], **kwargs: Any) -> list[int]:
        return list(call(odoo, "res.partner", "search", domain, **kwargs))

    assert search([["name", "ilike", "ACME"]]) == [acme, labs]
    assert search([["name", "like", "Acme"]]) == [acme]
    assert search([["ref", "=like", "A-_"]]) == [acme, labs]
    assert search([["ref", "=ilike", "a-%"]]) == [acme, labs]
    assert search([["name", "not ilike", "acme"]]) == [beta]
    assert search(["|", ["ref", "=", "A-1"], ["ref", "=", "B-2"]]) == [acme, beta]
    assert search(["!", ["ref", "in", ["A-1", "B-2"]]]) == [labs]
    assert search([["ref", "not in", ["A-1"]], ["customer_rank", "<", 3]]) == [labs]
    assert search(["&", ["customer_rank", ">=", 1], ["customer_rank", "<=", 2]]) == [acme]
    assert search([["email", "=", False]]) == [beta, labs]
    assert search([["email", "!=", False]]) == [acme]
    assert search([["country_id", "=", canada]]) == [acme, labs]
    assert search([["country_id", "ilike", "united"]]) == [beta]
    assert search([], order="customer_rank desc, id") == [beta, acme, labs]
    assert search([], order="id desc") == [labs, beta, acme]
    assert search([], order="name") == [acme, beta, labs]
    assert search([], offset=1, limit=1) == [beta]
    assert call(odoo, "res.partner", "search_count", [["customer_rank", ">", 0]]) == 2
    for bad in ([["name", "~", "x"]], ["|", ["name", "=", "x"]], [["name", "="]]):
        assert rpc_error(odoo, "res.partner", "search", bad)["name"] == "builtins.ValueError"
    assert rpc_error(odoo, "res.partner", "search", [], order="name; drop")["name"] == (
        "builtins.ValueError")


@pytest.mark.fast
def test_archived_records_are_left_out_of_searches(odoo: Any) -> None:
    kept, archived = partner(odoo, "Kept"), partner(odoo, "Archived", active=False)
    assert call(odoo, "res.partner", "search", []) == [kept]
    assert call(odoo, "res.partner", "search", [["active", "=", False]]) == [archived]
    everyone = call(odoo, "res.partner", "search", [], context={"active_test": False})
    assert everyone == [kept, archived]


@pytest.mark.fast
def test_unknown_model_or_method(odoo_server: OdooTestServer, odoo: Any) -> None:
    data = rpc_error(odoo, "res.nothing", "search", [])
    assert (data["name"], data["message"]) == ("odoo.exceptions.UserError",
                                               "Object res.nothing doesn't exist")
    data = rpc_error(odoo, "res.partner", "action_post", [1])
    assert data["name"] == "builtins.AttributeError"
    for model, method, expected in (
            ("res.nothing", "search", (404, "werkzeug.exceptions.NotFound")),
            ("res.partner", "nothing", (404, "werkzeug.exceptions.NotFound")),
            ("res.partner", "_private", (403, "odoo.exceptions.AccessError"))):
        status, body = json2(odoo_server, model, method, {"domain": []})
        assert (status, body["name"]) == expected


# ------------------------------------------------------------------------------------ JSON-2

@pytest.mark.fast
def test_json2_takes_named_arguments(odoo_server: OdooTestServer) -> None:
    status, ids = json2(odoo_server, "res.partner", "create",
                        {"vals_list": [{"name": "Acme", "ref": "J-1"}, {"name": "Beta"}]})
    assert (status, len(ids)) == (200, 2)
    assert json2(odoo_server, "res.partner", "write",
                 {"ids": ids[1:], "vals": {"ref": "J-2"}}) == (200, True)
    status, rows = json2(odoo_server, "res.partner", "search_read", {
        "domain": [["ref", "like", "J-"]], "fields": ["name", "ref"], "order": "id desc",
        "limit": 5, "context": {"lang": "fr_CA"}})
    assert rows == [{"id": ids[1], "name": "Beta", "ref": "J-2"},
                    {"id": ids[0], "name": "Acme", "ref": "J-1"}]
    status, [single] = json2(odoo_server, "product.product", "create",
                             {"vals_list": {"name": "CPU", "list_price": 0.045}})
    assert isinstance(single, int)  # JSON-2 answers a list of ids, even for one dict
    status, [move] = json2(odoo_server, "account.move", "create", {"vals_list": {
        "move_type": "out_invoice", "partner_id": ids[0], "invoice_date": "2026-01-15",
        "invoice_line_ids": [[0, 0, {"product_id": single, "price_unit": 909.73}]]}})
    assert json2(odoo_server, "account.move", "action_post", {"ids": [move]}) == (200, False)
    status, [posted] = json2(odoo_server, "account.move", "read",
                             {"ids": [move], "fields": ["name", "amount_total"]})
    # A partner without a country keeps the product's 13% HST (no fiscal position applies).
    assert posted == {"id": move, "name": "INV/2026/00001", "amount_total": 1027.99}
    status, body = json2(odoo_server, "res.partner", "search", {"domian": []})
    assert (status, body["name"]) == (422, "werkzeug.exceptions.UnprocessableEntity")
    assert {c.transport for c in odoo_server.calls} == {"json2"}


@pytest.mark.fast
def test_json2_refuses_a_missing_or_wrong_key(odoo_server: OdooTestServer) -> None:
    for key, message in ((None, "User not authenticated, use an API Key with a Bearer "
                                "Authorization header."), ("wrong", "Invalid apikey")):
        status, body = json2(odoo_server, "res.partner", "search", {"domain": []}, key)
        assert status == 401, key
        assert (body["name"], body["message"]) == ("werkzeug.exceptions.Unauthorized", message)
    # A database the server does not serve: real Odoo has no route, a 404 HTML page.
    request = urllib.request.Request(
        f"{odoo_server.url}/json/2/res.partner/search", data=b'{"domain": []}', headers={
            "Content-Type": "application/json", "Authorization": f"bearer {API_KEY}",
            "X-Odoo-Database": "other"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 404
    assert caught.value.headers["Content-Type"].startswith("text/html")
    status, _ = json2(odoo_server, "res.partner", "search", {"domain": []}, None,
                      {"Authorization": f"BEARER {API_KEY}"})
    assert status == 200  # the scheme is case-insensitive


# ------------------------------------------------------------------------------------ faults

@pytest.mark.fast
def test_http_500_fault_applies_nothing(odoo_server: OdooTestServer, odoo: Any) -> None:
    odoo_server.inject(Fault("http_500", "res.partner", "create"))
    with pytest.raises(urllib.error.HTTPError) as caught:
        call(odoo, "res.partner", "create", {"name": "Lost"})
    assert caught.value.code == 500
    assert b"Internal Server Error" in caught.value.read()
    assert odoo_server.records("res.partner") == []
    assert odoo_server.calls[-1] == Call("jsonrpc", "res.partner", "create", False,
                                         fault="http_500")
    call(odoo, "res.partner", "create", {"name": "Kept"})  # times=1: the next call passes
    assert count(odoo_server, "res.partner") == 1


@pytest.mark.fast
def test_drop_before_fault_applies_nothing(odoo_server: OdooTestServer, odoo: Any) -> None:
    odoo_server.inject(Fault("drop_before", "res.partner", "create"))
    with pytest.raises(ConnectionError):
        call(odoo, "res.partner", "create", {"name": "Lost"})
    assert odoo_server.records("res.partner") == []
    status, body = json2(odoo_server, "res.partner", "search", {"domain": []})
    assert (status, body) == (200, [])


@pytest.mark.fast
def test_drop_after_fault_applies_the_call_but_gives_no_answer(
        odoo_server: OdooTestServer, odoo: Any) -> None:
    odoo_server.inject(Fault("drop_after", "res.partner", "create"))
    with pytest.raises(ConnectionError):
        call(odoo, "res.partner", "create", {"name": "Applied", "ref": "D-1"})
    assert call(odoo, "res.partner", "search_count", [["ref", "=", "D-1"]]) == 1
    odoo_server.inject(Fault("drop_after", "res.partner", "create"))
    with pytest.raises(ConnectionError):
        json2(odoo_server, "res.partner", "create", {"vals_list": [{"name": "Also"}]})
    assert count(odoo_server, "res.partner", name="Also") == 1
    assert [c.fault for c in odoo_server.calls if c.method == "create"] == ["drop_after"] * 2


@pytest.mark.fast
def test_reject_fault_is_an_odoo_validation_error(odoo_server: OdooTestServer,
                                                  odoo: Any) -> None:
    odoo_server.inject(Fault("reject", "account.move", "action_post"))
    move = invoice(odoo, partner(odoo, "Acme"), (product(odoo), 1, 5))
    data = rpc_error(odoo, "account.move", "action_post", [move])
    assert (data["name"], data["message"]) == ("odoo.exceptions.ValidationError",
                                               "Rejected by test fault")
    assert [m["state"] for m in odoo_server.records("account.move")] == ["draft"]
    odoo_server.inject(Fault("reject", method="create"))
    status, body = json2(odoo_server, "res.partner", "create", {"vals_list": {"name": "X"}})
    assert (status, body["message"]) == (422, "Rejected by test fault")
    assert count(odoo_server, "res.partner") == 1


@pytest.mark.fast
def test_callback_fault_runs_after_the_commit(odoo_server: OdooTestServer, odoo: Any) -> None:
    seen: list[tuple[Call, int]] = []
    odoo_server.inject(Fault("callback", "res.partner", "create", callback=lambda c: seen.append(
        (c, count(odoo_server, "res.partner")))))
    created = call(odoo, "res.partner", "create", {"name": "Seen"})
    [(info, stored)] = seen
    assert stored == 1  # already committed when the callback runs
    assert (info.transport, info.model, info.method, info.ok, info.fault) == (
        "jsonrpc", "res.partner", "create", True, "callback")
    assert info.params == {"vals_list": {"name": "Seen"}}
    assert isinstance(created, int)


@pytest.mark.fast
def test_fault_skip_times_and_predicate(odoo_server: OdooTestServer, odoo: Any) -> None:
    fault = odoo_server.inject(Fault("reject", "res.partner", "create", skip=1, times=2))
    outcomes = []
    for n in range(4):
        try:
            call(odoo, "res.partner", "create", {"name": f"P{n}"})
            outcomes.append("ok")
        except odoorpc.error.RPCError:
            outcomes.append("rejected")
    assert outcomes == ["ok", "rejected", "rejected", "ok"] and fault.fired == 2
    odoo_server.inject(Fault("reject", times=5, predicate=lambda params: any(
        vals.get("ref") == "BAD" for vals in params.get("vals_list", []))))
    status, _ = json2(odoo_server, "res.partner", "create",
                      {"vals_list": [{"name": "Fine", "ref": "OK"}]})
    assert status == 200
    status, body = json2(odoo_server, "res.partner", "create",
                         {"vals_list": [{"name": "Fine"}, {"name": "Bad", "ref": "BAD"}]})
    assert (status, body["message"]) == (422, "Rejected by test fault")
    assert sorted(r["name"] for r in odoo_server.records("res.partner")) == ["Fine", "P0", "P3"]
    with pytest.raises(ValueError, match="fault kind"):
        Fault("explode")


@pytest.mark.fast
def test_a_client_that_vanishes_during_a_callback_does_not_hurt_the_server(
        odoo_server: OdooTestServer) -> None:
    client = socket.create_connection(("127.0.0.1", odoo_server.port))
    gone = threading.Event()

    def vanish(_: Call) -> None:
        # SO_LINGER 0: close with a reset, as a killed process's socket is torn down.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        gone.set()

    odoo_server.inject(Fault("callback", "res.partner", "create", callback=vanish))
    body = json.dumps({"vals_list": [{"name": "Orphan", "ref": "V-1"}]}).encode()
    client.sendall(b"POST /json/2/res.partner/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: bearer " + API_KEY.encode() + b"\r\n"
                   b"Content-Type: application/json\r\nConnection: close\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert gone.wait(5)
    time.sleep(0.2)  # let the server try to answer the vanished client
    status, ids = json2(odoo_server, "res.partner", "search", {"domain": [["ref", "=", "V-1"]]})
    assert status == 200 and len(ids) == 1
    assert odoo_server.errors == []


@pytest.mark.slow
def test_slow_fault_times_out_the_client_but_applies_the_call(
        odoo_server: OdooTestServer, odoo: Any) -> None:
    odoo_server.inject(Fault("slow", "res.partner", "create", seconds=3))
    odoo.config["timeout"] = 0.5
    with pytest.raises(TimeoutError):
        call(odoo, "res.partner", "create", {"name": "Late", "ref": "S-1"})
    odoo.config["timeout"] = 5
    assert call(odoo, "res.partner", "search_count", [["ref", "=", "S-1"]]) == 1
    assert odoo_server.calls[-2].ok and odoo_server.calls[-2].fault == "slow"


@pytest.mark.slow
def test_late_fault_applies_the_call_only_after_the_client_gave_up(
        odoo_server: OdooTestServer, odoo: Any) -> None:
    odoo_server.inject(Fault("late", "res.partner", "create", seconds=1.5))
    odoo.config["timeout"] = 0.5
    with pytest.raises(TimeoutError):
        call(odoo, "res.partner", "create", {"name": "Late", "ref": "L-1"})
    odoo.config["timeout"] = 5
    assert call(odoo, "res.partner", "search_count", [["ref", "=", "L-1"]]) == 0
    time.sleep(1.5)
    assert call(odoo, "res.partner", "search_count", [["ref", "=", "L-1"]]) == 1


@pytest.mark.slow
def test_a_slow_call_blocks_no_other_and_stop_is_prompt(
        fresh_server: OdooTestServer) -> None:
    fresh_server.inject(Fault("slow", "res.partner", "create", seconds=60))
    answers: list[Any] = []
    slow = threading.Thread(target=lambda: answers.append(json2(
        fresh_server, "res.partner", "create", {"vals_list": {"name": "Slow"}}, timeout=30)))
    slow.start()
    deadline = time.monotonic() + 5
    while not fresh_server.calls and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    assert json2(fresh_server, "res.partner", "search_count", {"domain": []}) == (200, 1)
    assert time.monotonic() - started < 2
    fresh_server.stop()
    assert time.monotonic() - started < 4
    slow.join(10)
    assert not slow.is_alive()


@pytest.mark.slow
def test_a_callback_can_kill_the_client_process(odoo_server: OdooTestServer,
                                                tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(f"""
        import sys, odoorpc
        odoo = odoorpc.ODOO("127.0.0.1", port={odoo_server.port}, timeout=10)
        odoo.login({DB!r}, {LOGIN!r}, {PASSWORD!r})
        odoo.execute_kw("res.partner", "create", [{{"name": "Killed", "ref": "K-1"}}])
        print("answered", flush=True)
    """))
    victims: list[subprocess.Popen[str]] = []
    odoo_server.inject(Fault("callback", "res.partner", "create",
                             callback=lambda _: os.kill(victims[0].pid, signal.SIGKILL)))
    victims.append(subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                                    text=True))
    out, _ = victims[0].communicate(timeout=30)
    assert victims[0].returncode == -signal.SIGKILL and "answered" not in out
    assert count(odoo_server, "res.partner", ref="K-1") == 1
    odoo = connect(odoo_server)  # the server carries on
    assert call(odoo, "res.partner", "search_count", [["ref", "=", "K-1"]]) == 1
    assert odoo_server.errors == []
