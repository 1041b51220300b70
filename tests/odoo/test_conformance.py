"""Conformance of the Odoo 19 stand-in (tests/support/odoo_server.py) with a real Odoo 19.

Each case sends one request, the way a client would put it on the wire, and asserts on the
answer: the result's shape, or the error's `name` (with a stable fragment of its message), and
for JSON-2 the HTTP status. The same cases run against several targets:

- the test server over `/jsonrpc` (execute_kw) and over JSON-2 (`/json/2/<model>/<method>`),
  always (CI);
- a real Odoo over both, when ODOO_URL is set: those params are marked `odoo_live`.

A case passing on one target and failing on another is a bug in the test server (fix it there),
unless the expectation was wrong (fix the case, from what real Odoo answers).

The client here is raw on purpose (urllib, no odoorpc), so a case can send arguments by
position or by name exactly as it means to. Against a real Odoo 19 (use a database of its own:
cases create partners, products and invoices, each with unique names and refs):

    ODOO_URL=http://127.0.0.1:8269 ODOO_DB=conform ODOO_USER=admin ODOO_PASSWORD=... \\
    ODOO_API_KEY=... .venv/bin/python -m pytest tests/odoo/test_conformance.py -m odoo_live -q
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.odoo_server import OdooTestServer

pytestmark = pytest.mark.fast

TIMEOUT = 60


@dataclass(frozen=True)
class Answer:
    """What came back: a result, or Odoo's error (`name`, `message`). `status` is JSON-2's HTTP
    status (None over /jsonrpc, which answers 200 for everything)."""

    ok: bool
    result: Any = None
    name: str = ""
    message: str = ""
    status: int | None = None
    content_type: str = ""


@dataclass
class Target:
    """Where the cases go: a server, its credentials, and the transport they use."""

    label: str
    transport: str  # "jsonrpc" or "json2"
    url: str
    db: str
    login: str
    password: str
    api_key: str
    uid: int = 0
    moves: list[int] = field(default_factory=list)  # created here: removed after the case

    # ---- raw requests

    def execute_kw(self, model: str, method: str, args: list[Any],
                   kwargs: dict[str, Any] | None = None, password: str | None = None) -> Answer:
        """/jsonrpc object.execute_kw with exactly these args and kwargs."""
        params = {"service": "object", "method": "execute_kw", "args": [
            self.db, self.uid, self.password if password is None else password, model, method,
            args, kwargs or {}]}
        answer = self._post_json(f"{self.url}/jsonrpc", {
            "jsonrpc": "2.0", "method": "call", "id": 1, "params": params}, {})
        if not answer.ok:
            return answer
        body = answer.result
        if "error" in body:
            data = body["error"]["data"]
            return Answer(False, name=data["name"], message=data["message"])
        return Answer(True, body.get("result"))  # a method answering None: no "result"

    def json2(self, model: str, method: str, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> Answer:
        """POST /json/2/<model>/<method> with this body; headers default to the bearer key
        and X-Odoo-Database."""
        sent = {"Authorization": f"bearer {self.api_key}", "X-Odoo-Database": self.db}
        answer = self._post_json(f"{self.url}/json/2/{model}/{method}", body,
                                 sent if headers is None else headers)
        if answer.ok or not isinstance(answer.result, dict) or "name" not in answer.result:
            return answer
        error = answer.result
        return Answer(False, name=error["name"], message=str(error.get("message", "")),
                      status=answer.status, content_type=answer.content_type)

    def _post_json(self, url: str, body: Any, headers: dict[str, str]) -> Answer:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={
            "Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return Answer(True, json.loads(response.read()), status=response.status,
                              content_type=response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            content_type = exc.headers.get("Content-Type", "")
            try:
                parsed: Any = json.loads(raw)
            except ValueError:
                parsed = raw.decode("utf-8", "replace")
            return Answer(False, parsed, status=exc.code, content_type=content_type)

    # ---- calls shaped as rating/odoo/gateway.py shapes them

    def call(self, model: str, method: str, ids: list[int] | None = None,
             **named: Any) -> Answer:
        """jsonrpc: the ids, then create's vals_list by position, the rest by name;
        json2: everything by name, the records as `ids`."""
        if self.transport == "json2":
            return self.json2(model, method, named if ids is None else {"ids": ids, **named})
        args: list[Any] = [] if ids is None else [ids]
        if method == "create":
            args.append(named.pop("vals_list"))
        return self.execute_kw(model, method, args, named)

    def value(self, model: str, method: str, ids: list[int] | None = None,
              **named: Any) -> Any:
        """The result of a call that must succeed."""
        answer = self.call(model, method, ids, **named)
        assert answer.ok, f"{self.label}: {model}.{method} failed: {answer}"
        return answer.result

    def create_one(self, model: str, vals: dict[str, Any]) -> int:
        created = self.value(model, "create", vals_list=[vals])
        assert isinstance(created, list) and len(created) == 1
        if model == "account.move":
            self.moves.append(created[0])
        return int(created[0])


def assert_refused(answer: Answer, name: str, fragment: str = "",
                   status: int | None = None) -> None:
    """Odoo refused with this error name (and message fragment); JSON-2 with this status."""
    assert not answer.ok, f"expected {name}, got {answer}"
    assert answer.name == name, answer
    assert fragment in answer.message, answer
    if answer.status is not None:  # JSON-2 only
        assert answer.status == status, answer


def unique(prefix: str) -> str:
    return f"{prefix} conformance {uuid.uuid4().hex[:10]}"


# ------------------------------------------------------------------------------- targets

ALL = [pytest.param(("test-server", "jsonrpc"), id="test-server-jsonrpc"),
       pytest.param(("test-server", "json2"), id="test-server-json2"),
       pytest.param(("live", "jsonrpc"), id="live-jsonrpc", marks=pytest.mark.odoo_live),
       pytest.param(("live", "json2"), id="live-json2", marks=pytest.mark.odoo_live)]
JSONRPC = [p for p in ALL if p.values[0][1] == "jsonrpc"]  # type: ignore[index]
JSON2 = [p for p in ALL if p.values[0][1] == "json2"]  # type: ignore[index]


@pytest.fixture(scope="module")
def test_server() -> Iterator[OdooTestServer]:
    with OdooTestServer() as server:
        yield server


@pytest.fixture(params=ALL)
def target(request: pytest.FixtureRequest, test_server: OdooTestServer) -> Iterator[Target]:
    where, transport = request.param
    if where == "test-server":
        found = Target(f"test server over {transport}", transport, test_server.url,
                       test_server.db, test_server.login, test_server.password,
                       test_server.api_key)
    else:
        if not os.environ.get("ODOO_URL"):
            pytest.skip("ODOO_URL is not set: no real Odoo to compare with")
        env = os.environ
        found = Target(f"real Odoo over {transport}", transport, env["ODOO_URL"].rstrip("/"),
                       env["ODOO_DB"], env.get("ODOO_USER", "admin"), env["ODOO_PASSWORD"],
                       env["ODOO_API_KEY"])
    login = found._post_json(f"{found.url}/jsonrpc", {
        "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "common", "method": "login",
            "args": [found.db, found.login, found.password]}}, {})
    found.uid = int(login.result["result"])
    assert found.uid, f"{found.label}: login failed"
    yield found
    for move_id in found.moves:  # leave no invoice behind (best effort: a refused one stays)
        found.execute_kw("account.move", "button_draft", [[move_id]])
        found.execute_kw("account.move", "unlink", [[move_id]])


def by_transport(target: Target, jsonrpc: Any, json2: Any) -> Any:
    return json2 if target.transport == "json2" else jsonrpc


def sale_journal(target: Target) -> int:
    rows = target.value("account.journal", "search_read", domain=[["type", "=", "sale"]],
                        fields=["id", "code"], order="id", limit=1)
    return int(rows[0]["id"])


def draft_invoice(target: Target, lines: int = 1, partner: bool = True) -> int:
    """A draft customer invoice with `lines` product lines, of a fresh partner and product."""
    product = target.create_one("product.product", {"name": unique("Product"),
                                                    "list_price": 10.0})
    vals: dict[str, Any] = {
        "move_type": "out_invoice", "journal_id": sale_journal(target), "ref": unique("REF"),
        "invoice_line_ids": [[0, 0, {"product_id": product, "quantity": 2, "price_unit": 3.0}]
                             for _ in range(lines)]}
    if partner:
        vals["partner_id"] = target.create_one("res.partner", {"name": unique("Partner")})
    return target.create_one("account.move", vals)


def posted_invoice(target: Target) -> int:
    move = draft_invoice(target)
    assert target.value("account.move", "action_post", [move]) is False
    return move


# ------------------------------------------------------------------ create and its answer

@pytest.mark.parametrize("target", JSONRPC, indirect=True)
def test_create_with_one_dict_by_position_answers_one_id(target: Target) -> None:
    answer = target.execute_kw("res.partner", "create", [{"name": unique("Partner")}])
    assert answer.ok and type(answer.result) is int, answer


@pytest.mark.parametrize("target", JSONRPC, indirect=True)
def test_create_with_a_list_by_position_answers_a_list_of_ids(target: Target) -> None:
    answer = target.execute_kw("res.partner", "create",
                               [[{"name": unique("Partner")}, {"name": unique("Partner")}]])
    assert answer.ok and isinstance(answer.result, list) and len(answer.result) == 2, answer
    assert all(type(i) is int for i in answer.result)


@pytest.mark.parametrize("target", JSONRPC, indirect=True)
def test_create_with_vals_list_by_name_over_jsonrpc_fails_with_index_error_and_creates_nothing(
        target: Target) -> None:
    name = unique("Partner")
    answer = target.execute_kw("res.partner", "create", [], {"vals_list": [{"name": name}]})
    assert_refused(answer, "builtins.IndexError", "list index out of range")
    assert target.value("res.partner", "search_count", domain=[["name", "=", name]]) == 0


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_json2_create_answers_a_list_of_ids_for_one_dict_and_for_a_list(target: Target) -> None:
    one = target.json2("res.partner", "create", {"vals_list": {"name": unique("Partner")}})
    many = target.json2("res.partner", "create", {"vals_list": [{"name": unique("Partner")}]})
    for answer in (one, many):
        assert answer.ok and answer.status == 200, answer
        assert isinstance(answer.result, list) and len(answer.result) == 1, answer


# ------------------------------------------------------------------------ argument binding

@pytest.mark.parametrize("target", JSONRPC, indirect=True)
def test_a_record_method_without_ids_over_jsonrpc_fails_with_index_error(target: Target) -> None:
    answer = target.execute_kw("res.partner", "read", [], {"fields": ["name"]})
    assert_refused(answer, "builtins.IndexError", "list index out of range")


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_a_record_method_without_ids_over_json2_acts_on_no_record(target: Target) -> None:
    answer = target.json2("res.partner", "read", {"fields": ["name"]})
    assert answer.ok and answer.result == [], answer


def test_an_unknown_keyword_argument_to_create_is_refused(target: Target) -> None:
    answer = target.call("res.partner", "create", vals_list=[{"name": unique("Partner")}],
                         bogus=1)
    assert_refused(answer, by_transport(target, "builtins.TypeError",
                                        "werkzeug.exceptions.UnprocessableEntity"),
                   "got an unexpected keyword argument 'bogus'", 422)


def test_an_unknown_keyword_argument_to_search_read_fails_in_the_call(target: Target) -> None:
    # search_read takes **read_kwargs: JSON-2's signature check lets the name through.
    answer = target.call("res.partner", "search_read", domain=[], limit=1, bogus=1)
    assert_refused(answer, "builtins.TypeError", "got an unexpected keyword argument 'bogus'",
                   500)


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_json2_without_a_required_argument_is_422(target: Target) -> None:
    answer = target.json2("res.partner", "create", {})
    assert_refused(answer, "werkzeug.exceptions.UnprocessableEntity",
                   "missing a required argument: 'vals_list'", 422)


@pytest.mark.parametrize("target", JSON2, indirect=True)
@pytest.mark.parametrize(("method", "body"), [
    ("create", {"vals_list": [{"name": "never created"}]}),
    ("search_read", {"domain": [], "limit": 1})])
def test_json2_ids_given_to_a_model_method_is_422(target: Target, method: str,
                                                  body: dict[str, Any]) -> None:
    answer = target.json2("res.partner", method, {"ids": [1], **body})
    assert_refused(answer, "werkzeug.exceptions.UnprocessableEntity",
                   f"cannot call res.partner.{method} with ids", 422)


def test_an_unknown_model_is_refused(target: Target) -> None:
    answer = target.call("res.nothing", "search_read", domain=[])
    if target.transport == "json2":
        assert_refused(answer, "werkzeug.exceptions.NotFound",
                       "the model 'res.nothing' does not exist", 404)
    else:
        assert_refused(answer, "odoo.exceptions.UserError", "Object res.nothing doesn't exist")


def test_an_unknown_method_is_refused(target: Target) -> None:
    answer = target.call("res.partner", "post_everything", domain=[])
    assert_refused(answer, by_transport(target, "builtins.AttributeError",
                                        "werkzeug.exceptions.NotFound"),
                   "The method 'res.partner.post_everything' does not exist", 404)


def test_a_private_method_is_an_access_error(target: Target) -> None:
    answer = target.call("res.partner", "_read_format", [1])
    assert_refused(answer, "odoo.exceptions.AccessError",
                   "Private methods (such as 'res.partner._read_format') cannot be called "
                   "remotely.", 403)


# ------------------------------------------------------------------------------ field rules

def test_a_product_without_its_required_name_is_a_validation_error(target: Target) -> None:
    answer = target.call("product.product", "create", vals_list=[{"list_price": 1.0}])
    assert_refused(answer, "odoo.exceptions.ValidationError",
                   "Missing required value for the field 'Name' (name)", 422)


def test_a_partner_without_a_name_is_a_validation_error(target: Target) -> None:
    answer = target.call("res.partner", "create", vals_list=[{"email": "nobody@example.com"}])
    assert_refused(answer, "odoo.exceptions.ValidationError", "Contacts require a name", 422)


def test_an_invoice_without_a_journal_goes_to_the_sale_journal(target: Target) -> None:
    partner = target.create_one("res.partner", {"name": unique("Partner")})
    move = target.create_one("account.move", {"move_type": "out_invoice",
                                              "partner_id": partner, "ref": unique("REF")})
    [row] = target.value("account.move", "read", [move], fields=["journal_id", "state"])
    assert row["journal_id"][0] == sale_journal(target) and row["state"] == "draft"


def test_a_move_without_a_move_type_is_a_journal_entry(target: Target) -> None:
    move = target.create_one("account.move", {"ref": unique("REF")})
    [row] = target.value("account.move", "read", [move], fields=["move_type", "state"])
    assert (row["move_type"], row["state"]) == ("entry", "draft")


def test_a_many2one_to_a_missing_record_is_a_missing_error(target: Target) -> None:
    answer = target.call("account.move", "create", vals_list=[{
        "move_type": "out_invoice", "journal_id": sale_journal(target), "partner_id": 99999999}])
    assert_refused(answer, "odoo.exceptions.MissingError",
                   "Record does not exist or has been deleted.\n(Record: res.partner(99999999,)",
                   404)


def test_a_many2one_given_a_name_is_refused_by_postgresql(target: Target) -> None:
    answer = target.call("account.move", "create", vals_list=[{
        "move_type": "out_invoice", "journal_id": sale_journal(target),
        "partner_id": "Some Customer"}])
    assert_refused(answer, "psycopg2.errors.InvalidTextRepresentation",
                   'invalid input syntax for type integer: "Some Customer"', 500)


def test_a_selection_outside_its_values_is_a_value_error(target: Target) -> None:
    answer = target.call("account.move", "create", vals_list=[{"move_type": "bogus"}])
    assert_refused(answer, "builtins.ValueError",
                   "Wrong value for account.move.move_type: 'bogus'", 500)


def test_price_and_quantity_are_rounded_to_two_digits_on_create(target: Target) -> None:
    precisions = {row["name"]: row["digits"] for row in target.value(
        "decimal.precision", "search_read",
        domain=[["name", "in", ["Product Price", "Product Unit"]]], fields=["name", "digits"])}
    if precisions != {"Product Price": 2, "Product Unit": 2}:
        pytest.skip(f"this database's precision is not Odoo's default: {precisions}")
    product = target.create_one("product.product", {"name": unique("Product")})
    move = target.create_one("account.move", {
        "move_type": "out_invoice", "journal_id": sale_journal(target), "ref": unique("REF"),
        "invoice_line_ids": [[0, 0, {"product_id": product, "quantity": 1.005,
                                     "price_unit": 2.345}]]})
    rows = target.value("account.move.line", "search_read",
                        domain=[["move_id", "=", move], ["display_type", "=", "product"]],
                        fields=["quantity", "price_unit", "price_subtotal"])
    assert [(r["quantity"], r["price_unit"], r["price_subtotal"]) for r in rows] == [
        (1.01, 2.35, 2.37)]


# --------------------------------------------------------------------------- invoice flow

def test_lookups_the_posting_makes_answer_lists_of_rows(target: Target) -> None:
    for model, domain in (("res.country", [["code", "=", "CA"]]),
                          ("res.currency", [["name", "=", "CAD"]]),
                          ("account.journal", [["type", "=", "sale"]])):
        rows = target.value(model, "search_read", domain=domain, fields=["name"])
        assert rows and all(set(row) == {"id", "name"} for row in rows), (model, rows)


def test_reading_an_invoice_gives_many2ones_as_id_and_name_and_amounts_as_floats(
        target: Target) -> None:
    move = draft_invoice(target)
    [row] = target.value("account.move", "read", [move],
                         fields=["partner_id", "journal_id", "state", "amount_untaxed",
                                 "invoice_line_ids", "name"])
    assert isinstance(row["partner_id"], list) and len(row["partner_id"]) == 2
    assert type(row["partner_id"][0]) is int and isinstance(row["partner_id"][1], str)
    assert (row["state"], row["amount_untaxed"]) == ("draft", 6.0)
    assert len(row["invoice_line_ids"]) == 1 and type(row["invoice_line_ids"][0]) is int


def test_writing_a_draft_invoice_clears_and_recreates_its_lines(target: Target) -> None:
    move = draft_invoice(target, lines=2)
    product = target.create_one("product.product", {"name": unique("Product")})
    assert target.value("account.move", "write", [move], vals={"invoice_line_ids": [
        [5, 0, 0], [0, 0, {"product_id": product, "quantity": 4, "price_unit": 2.5}]]}) is True
    [row] = target.value("account.move", "read", [move],
                         fields=["invoice_line_ids", "amount_untaxed"])
    assert (len(row["invoice_line_ids"]), row["amount_untaxed"]) == (1, 10.0)


def test_posting_an_invoice_answers_false_and_numbers_it(target: Target) -> None:
    move = draft_invoice(target)
    assert target.value("account.move", "action_post", [move]) is False
    [row] = target.value("account.move", "read", [move], fields=["state", "name"])
    assert row["state"] == "posted" and re.fullmatch(r"INV/\d{4}/\d{5}", row["name"]), row


def test_posting_twice_is_refused(target: Target) -> None:
    move = posted_invoice(target)
    answer = target.call("account.move", "action_post", [move])
    assert_refused(answer, "odoo.exceptions.UserError", f"(id {move}) must be in draft.", 422)


def test_posting_an_invoice_without_lines_is_refused(target: Target) -> None:
    move = draft_invoice(target, lines=0)
    answer = target.call("account.move", "action_post", [move])
    assert_refused(answer, "odoo.exceptions.UserError", "Even magicians can't post nothing!",
                   422)


def test_posting_an_invoice_without_a_customer_is_refused(target: Target) -> None:
    move = draft_invoice(target, partner=False)
    answer = target.call("account.move", "action_post", [move])
    assert_refused(answer, "odoo.exceptions.UserError",
                   "The 'Customer' field is required to validate the invoice.", 422)


@pytest.mark.parametrize("vals", [{"invoice_line_ids": [[5, 0, 0]]}, {"partner_id": False}],
                         ids=["lines", "partner"])
def test_writing_a_posted_invoice_refuses_its_readonly_fields(target: Target,
                                                              vals: dict[str, Any]) -> None:
    move = posted_invoice(target)
    answer = target.call("account.move", "write", [move], vals=vals)
    assert_refused(answer, "odoo.exceptions.UserError",
                   "You cannot modify the following readonly fields on a posted move: "
                   f"{next(iter(vals))}", 422)


def test_writing_the_ref_of_a_posted_invoice_is_allowed(target: Target) -> None:
    move = posted_invoice(target)
    ref = unique("REF")
    assert target.value("account.move", "write", [move], vals={"ref": ref}) is True
    [row] = target.value("account.move", "read", [move], fields=["ref", "state"])
    assert (row["ref"], row["state"]) == (ref, "posted")


def test_unlinking_a_posted_invoice_is_refused(target: Target) -> None:
    move = posted_invoice(target)
    answer = target.call("account.move", "unlink", [move])
    assert_refused(answer, "odoo.exceptions.UserError", "You can't delete a posted journal item.",
                   422)
    [row] = target.value("account.move", "read", [move], fields=["state"])
    assert row["state"] == "posted"


# ------------------------------------------------------------------ search, read, deleted

def test_search_read_on_an_unknown_field_is_a_value_error(target: Target) -> None:
    answer = target.call("res.partner", "search_read", domain=[["colour", "=", "red"]])
    assert_refused(answer, "builtins.ValueError", "Invalid field", 500)
    assert "colour" in answer.message


def test_search_read_with_an_unknown_operator_is_a_value_error(target: Target) -> None:
    answer = target.call("res.partner", "search_read", domain=[["name", "=like=", "x"]])
    assert_refused(answer, "builtins.ValueError", "Invalid operator", 500)


def test_reading_an_unknown_field_is_a_value_error(target: Target) -> None:
    partner = target.create_one("res.partner", {"name": unique("Partner")})
    answer = target.call("res.partner", "read", [partner], fields=["colour"])
    assert_refused(answer, "builtins.ValueError", "Invalid field 'colour'", 500)


def test_reading_a_deleted_record_answers_nothing(target: Target) -> None:
    move = draft_invoice(target)
    assert target.value("account.move", "unlink", [move]) is True
    assert target.value("account.move", "read", [move], fields=["state"]) == []


@pytest.mark.parametrize(("method", "named"), [("write", {"vals": {"ref": "gone"}}),
                                               ("action_post", {}), ("unlink", {})])
def test_changing_a_deleted_record_is_a_missing_error(target: Target, method: str,
                                                      named: dict[str, Any]) -> None:
    move = draft_invoice(target)
    assert target.value("account.move", "unlink", [move]) is True
    answer = target.call("account.move", method, [move], **named)
    assert_refused(answer, "odoo.exceptions.MissingError",
                   f"Record does not exist or has been deleted.\n(Record: account.move({move},)",
                   404)


# -------------------------------------------------------------------------- authentication

@pytest.mark.parametrize("target", JSONRPC, indirect=True)
def test_jsonrpc_with_a_wrong_password_is_access_denied(target: Target) -> None:
    answer = target.execute_kw("res.partner", "search_count", [[]], password="wrong")
    assert_refused(answer, "odoo.exceptions.AccessDenied", "Access Denied")


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_json2_without_a_bearer_key_is_401(target: Target) -> None:
    answer = target.json2("res.partner", "search_count", {"domain": []},
                          {"X-Odoo-Database": target.db})
    assert_refused(answer, "werkzeug.exceptions.Unauthorized",
                   "User not authenticated, use an API Key with a Bearer Authorization header.",
                   401)


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_json2_with_a_wrong_key_is_401(target: Target) -> None:
    answer = target.json2("res.partner", "search_count", {"domain": []},
                          {"Authorization": "bearer wrong", "X-Odoo-Database": target.db})
    assert_refused(answer, "werkzeug.exceptions.Unauthorized", "Invalid apikey", 401)


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_json2_without_a_database_header_uses_the_only_database(target: Target) -> None:
    answer = target.json2("res.partner", "search_count", {"domain": []},
                          {"Authorization": f"bearer {target.api_key}"})
    assert answer.ok and type(answer.result) is int, answer


@pytest.mark.parametrize("target", JSON2, indirect=True)
def test_json2_with_a_database_the_server_does_not_serve_is_a_404_page(target: Target) -> None:
    # The dbfilter rejects it: no database, no route, werkzeug's HTML page (not an Odoo error).
    answer = target.json2("res.partner", "search_count", {"domain": []},
                          {"Authorization": f"bearer {target.api_key}",
                           "X-Odoo-Database": "no_such_database"})
    assert (answer.ok, answer.status, answer.name) == (False, 404, ""), answer
    assert answer.content_type.startswith("text/html"), answer


# ------------------------------------------------------ what posting's bookkeeping relies on

def rounding_method(target: Target) -> str:
    [company] = target.value("res.company", "search_read", domain=[], order="id", limit=1,
                             fields=["tax_calculation_rounding_method"])
    return str(company["tax_calculation_rounding_method"])


def test_the_untaxed_total_rounds_as_the_company_says(target: Target) -> None:
    # 1.5 x 0.33 = 0.495 twice: 0.50 a line; the total is 1.00 rounding per line, 0.99 rounding
    # globally (the sum of unrounded lines): what the line strategy must respect.
    product = target.create_one("product.product", {"name": unique("Product"), "taxes_id": []})
    move = target.create_one("account.move", {
        "move_type": "out_invoice", "journal_id": sale_journal(target), "ref": unique("REF"),
        "invoice_line_ids": [[0, 0, {"product_id": product, "quantity": 1.5, "price_unit": 0.33,
                                     "tax_ids": []}]] * 2})
    [read] = target.value("account.move", "read", [move], fields=["amount_untaxed"])
    subtotals = target.value("account.move.line", "search_read",
                             domain=[["move_id", "=", move], ["display_type", "=", "product"]],
                             fields=["price_subtotal"])
    assert [r["price_subtotal"] for r in subtotals] == [0.5, 0.5]
    expected = {"round_per_line": 1.0, "round_globally": 0.99}[rounding_method(target)]
    assert read["amount_untaxed"] == expected


def test_a_custom_field_needs_the_x_prefix(target: Target) -> None:
    [model] = target.value("ir.model", "search_read", domain=[["model", "=", "account.move"]],
                           fields=["id"])
    answer = target.call("ir.model.fields", "create", vals_list=[{
        "model_id": model["id"], "name": "fc_billing_key_conformance", "ttype": "char",
        "field_description": "Not custom"}])
    assert_refused(answer, "odoo.exceptions.ValidationError",
                   "Custom fields must have a name that starts with 'x_'", 422)


def test_a_product_created_without_a_category_books_to_411100(target: Target) -> None:
    product = target.create_one("product.product", {"name": unique("Product")})
    [read] = target.value("product.product", "read", [product], fields=["categ_id"])
    assert read["categ_id"] is False
    move = target.create_one("account.move", {
        "move_type": "out_invoice", "journal_id": sale_journal(target), "ref": unique("REF"),
        "invoice_line_ids": [[0, 0, {"product_id": product, "quantity": 1, "price_unit": 1}]]})
    [line] = target.value("account.move.line", "search_read",
                          domain=[["move_id", "=", move], ["display_type", "=", "product"]],
                          fields=["account_id"])
    [account] = target.value("account.account", "read", [line["account_id"][0]],
                             fields=["code"])
    assert account["code"] == "411100"


def test_a_partner_in_an_unknown_language_is_stored_and_its_invoice_refused(
        target: Target) -> None:
    partner = target.create_one("res.partner", {"name": unique("Partner"), "lang": "xx_XX"})
    product = target.create_one("product.product", {"name": unique("Product")})
    answer = target.call("account.move", "create", vals_list=[{
        "move_type": "out_invoice", "partner_id": partner, "journal_id": sale_journal(target),
        "invoice_line_ids": [[0, 0, {"product_id": product, "quantity": 1, "price_unit": 1}]]}])
    assert_refused(answer, "odoo.exceptions.UserError", "Invalid language code: xx_XX", 422)


def test_settings_default_get_takes_fields(target: Target) -> None:
    answer = target.call("res.config.settings", "default_get",
                         fields=["group_analytic_accounting", "group_uom"])
    assert answer.ok, answer
    # Odoo adds other settings' defaults; these two are there, as booleans.
    assert {type(answer.result[name]) for name in ("group_analytic_accounting", "group_uom")} \
        == {bool}, answer
    wrong = target.call("res.config.settings", "default_get", fields_list=["group_uom"])
    assert not wrong.ok and wrong.name in ("builtins.TypeError",
                                           "werkzeug.exceptions.UnprocessableEntity"), wrong


def test_an_invoice_inside_the_sale_lock_date_is_booked_today(target: Target) -> None:
    [company] = target.value("res.company", "search_read", domain=[], order="id", limit=1,
                             fields=["id", "sale_lock_date"])
    if company["sale_lock_date"]:
        pytest.skip("this database has a sale lock date: not changed by a test")
    target.value("res.company", "write", [company["id"]], vals={"sale_lock_date": "2020-01-31"})
    try:
        move = draft_invoice(target)
        target.value("account.move", "write", [move], vals={"invoice_date": "2020-01-15"})
        assert target.value("account.move", "action_post", [move]) is False
        [read] = target.value("account.move", "read", [move], fields=["invoice_date", "date"])
    finally:
        target.value("res.company", "write", [company["id"]], vals={"sale_lock_date": False})
    assert read["invoice_date"] == "2020-01-15"
    assert read["date"] > "2020-01-31"  # today, on Odoo's clock
