"""Conformance of the Odoo test server with a real Odoo 19 for credit notes (issue 13).

What posting adjustments relies on: a customer credit note (`out_refund`) created over the API
with `reversed_entry_id` naming the invoice it corrects, read back, posted (numbered RINV/...,
reconciled with the original's receivable), searched with the invoices by billing key; and what
Odoo refuses (a negative total, a link to a move that does not exist). Same targets and client
as tests/odoo/test_conformance.py: the test server over both transports always, a real Odoo
over both when ODOO_URL is set (params marked `odoo_live`). What real Odoo answered, with its
exact texts, is written down in docs/odoo-credit-notes.md.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.odoo import test_conformance
from tests.odoo.test_conformance import Target, assert_refused, sale_journal, unique

pytestmark = pytest.mark.fast

# The targets of test_conformance.py (the test server and a real Odoo, both transports).
test_server = test_conformance.test_server
target = test_conformance.target

DATE = "2026-10-31"
FK_REFUSAL = ("The operation cannot be completed: Another model is using the record you are "
              "trying to delete.\n\nThe troublemaker is: 'Journal Entry' (account.move)\n"
              "Thanks to the following constraint: 'Reversal of' (reversed_entry_id)\n"
              "How about archiving the record instead?")
NEGATIVE_TOTAL = ("You cannot validate an invoice with a negative total amount. You should "
                  "create a credit note instead. Use the action menu to transform it into a "
                  "credit note or refund.")
FIELDS = ["name", "state", "move_type", "reversed_entry_id", "ref", "payment_state",
          "amount_untaxed", "amount_total", "amount_untaxed_signed", "amount_total_signed",
          "amount_residual", "display_name"]


class Customer:
    """A fresh partner and product on the target; moves of that partner, in CAD, dated DATE."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.partner = target.create_one("res.partner", {"name": unique("Partner")})
        self.product = target.create_one("product.product", {"name": unique("Product")})
        [cad] = target.value("res.currency", "search_read", domain=[["name", "=", "CAD"]],
                             fields=["id"])
        self.vals = {"partner_id": self.partner, "journal_id": sale_journal(target),
                     "currency_id": cad["id"], "invoice_date": DATE}

    def vals_of(self, move_type: str, *prices: float, **extra: Any) -> dict[str, Any]:
        return {"move_type": move_type, **self.vals, "ref": unique("REF"),
                "invoice_line_ids": [[0, 0, {"product_id": self.product, "quantity": 1,
                                             "price_unit": price}] for price in prices],
                **extra}

    def move(self, move_type: str, *prices: float, **extra: Any) -> int:
        return self.target.create_one("account.move", self.vals_of(move_type, *prices, **extra))

    def posted(self, move_type: str, *prices: float, **extra: Any) -> int:
        move = self.move(move_type, *prices, **extra)
        assert self.target.value("account.move", "action_post", [move]) is False
        return move

    def read(self, *moves: int) -> list[dict[str, Any]]:
        return list(self.target.value("account.move", "read", list(moves), fields=FIELDS))


def billing_key_field(target: Target) -> None:
    """x_fc_billing_key on account.move, as `fusion-rating odoo setup` creates it."""
    if target.value("ir.model.fields", "search_read", fields=["id"], domain=[
            ["model", "=", "account.move"], ["name", "=", "x_fc_billing_key"]]):
        return
    [model] = target.value("ir.model", "search_read", domain=[["model", "=", "account.move"]],
                           fields=["id"])
    target.create_one("ir.model.fields", {
        "model_id": model["id"], "name": "x_fc_billing_key", "ttype": "char",
        "field_description": "Billing key (fusion-rating)", "index": True, "copied": False,
        "store": True})


# ---------------------------------------------------------------------- create and read

def test_a_credit_note_is_created_linked_to_a_posted_invoice_and_reads_the_link_back(
        target: Target) -> None:
    customer = Customer(target)
    original = customer.posted("out_invoice", 100.0)
    [invoice] = customer.read(original)
    ref = f"Reversal of: {invoice['name']}"
    credit = customer.move("out_refund", 20.0, ref=ref, reversed_entry_id=original)
    [note] = customer.read(credit)
    # A many2one to a move reads as [id, its display name]: number and (ref).
    assert note["reversed_entry_id"] == [original, f"{invoice['name']} ({invoice['ref']})"]
    assert (note["move_type"], note["state"], note["ref"]) == ("out_refund", "draft", ref)
    assert note["display_name"] == f"Draft Credit Note ({ref})"
    assert (note["amount_untaxed"], note["amount_untaxed_signed"]) == (20.0, -20.0)
    assert note["amount_total_signed"] == -note["amount_total"] < 0
    [back] = target.value("account.move", "read", [original], fields=["reversal_move_ids"])
    assert back["reversal_move_ids"] == [credit]
    [raw] = target.value("account.move", "read", [credit], fields=["reversed_entry_id"],
                         load="_classic_write")
    assert raw["reversed_entry_id"] == original


def test_a_credit_note_may_be_linked_to_a_draft_invoice(target: Target) -> None:
    customer = Customer(target)
    draft = customer.move("out_invoice", 10.0)
    credit = customer.move("out_refund", 10.0, reversed_entry_id=draft)
    [note, invoice] = customer.read(credit, draft)
    assert note["reversed_entry_id"] == [draft, f"Draft Invoice ({invoice['ref']})"]


def test_a_credit_note_linked_to_a_missing_move_is_refused_by_the_foreign_key(
        target: Target) -> None:
    customer = Customer(target)
    vals = customer.vals_of("out_refund", 10.0, reversed_entry_id=99999999)
    answer = target.call("account.move", "create", vals_list=[vals])
    assert_refused(answer, "odoo.exceptions.ValidationError", FK_REFUSAL, 422)
    assert answer.message == FK_REFUSAL
    assert target.value("account.move", "search_count",
                        domain=[["ref", "=", vals["ref"]]]) == 0


def test_writing_a_missing_move_as_the_link_of_a_draft_is_a_missing_error(
        target: Target) -> None:
    credit = Customer(target).move("out_refund", 10.0)
    answer = target.call("account.move", "write", [credit],
                         vals={"reversed_entry_id": 99999999})
    assert_refused(answer, "odoo.exceptions.MissingError",
                   "Record does not exist or has been deleted.\n(Record: account.move(99999999,)",
                   404)


def test_the_link_of_a_posted_move_can_be_written(target: Target) -> None:
    # readonly=True on reversed_entry_id is a view attribute: Odoo's write takes it, even on a
    # posted move (its posted-move refusal lists other fields), and invoice_origin too.
    customer = Customer(target)
    first, second = customer.posted("out_invoice", 10.0), customer.posted("out_invoice", 10.0)
    credit = customer.posted("out_refund", 10.0, reversed_entry_id=first)
    assert target.value("account.move", "write", [credit], vals={
        "reversed_entry_id": second, "invoice_origin": "moved"}) is True
    [note] = customer.read(credit)
    assert (note["reversed_entry_id"][0], note["state"]) == (second, "posted")


def test_the_link_is_readonly_in_fields_get_and_debit_origin_id_is_no_field(
        target: Target) -> None:
    found = target.value("account.move", "fields_get",
                         allfields=["reversed_entry_id", "debit_origin_id"],
                         attributes=["string", "type", "readonly", "relation"])
    if "debit_origin_id" in found:
        pytest.skip("this Odoo has account_debit_note installed")
    assert found == {"reversed_entry_id": {"string": "Reversal of", "type": "many2one",
                                           "readonly": True, "relation": "account.move"}}
    customer = Customer(target)
    answer = target.call("account.move", "create", vals_list=[
        customer.vals_of("out_invoice", 10.0, debit_origin_id=1)])
    assert_refused(answer, "builtins.ValueError", "Invalid field 'debit_origin_id'", 500)


# ------------------------------------------------------------------------------- posting

def test_posting_credit_notes_numbers_them_and_reconciles_the_original(target: Target) -> None:
    customer = Customer(target)
    original = customer.posted("out_invoice", 60.0, 40.0)
    first = customer.posted("out_refund", 20.0, reversed_entry_id=original)
    [note, invoice] = customer.read(first, original)
    assert note["state"] == "posted" and re.fullmatch(r"RINV/\d{4}/\d{5}", note["name"]), note
    assert note["display_name"] == f"{note['name']} ({note['ref']})"
    assert (note["amount_untaxed"], note["amount_untaxed_signed"]) == (20.0, -20.0)
    assert note["amount_total_signed"] == -note["amount_total"]
    # The credit note is used up against the invoice, which is partly settled.
    assert (note["payment_state"], note["amount_residual"]) == ("paid", 0.0)
    assert invoice["payment_state"] == "partial"
    assert invoice["amount_residual"] == pytest.approx(
        invoice["amount_total"] - note["amount_total"])

    rest = customer.posted("out_refund", 80.0, reversed_entry_id=original)
    [note, invoice] = customer.read(rest, original)
    assert (note["payment_state"], note["amount_residual"]) == ("paid", 0.0)
    assert (invoice["payment_state"], invoice["amount_residual"]) == ("reversed", 0.0)

    beyond = customer.posted("out_refund", 10.0, reversed_entry_id=original)
    [note, invoice] = customer.read(beyond, original)  # nothing left to reconcile with
    assert (note["payment_state"], note["amount_residual"]) == (
        "not_paid", note["amount_total"])
    assert invoice["payment_state"] == "reversed"


def test_a_credit_note_of_a_draft_invoice_posts_without_reconciling(target: Target) -> None:
    customer = Customer(target)
    draft = customer.move("out_invoice", 10.0)
    credit = customer.posted("out_refund", 10.0, reversed_entry_id=draft)
    [note, invoice] = customer.read(credit, draft)
    assert (note["state"], note["payment_state"]) == ("posted", "not_paid")
    assert note["amount_residual"] == note["amount_total"]
    assert (invoice["state"], invoice["payment_state"]) == ("draft", "not_paid")


def test_a_credit_note_posted_together_with_its_invoice_is_not_reconciled(
        target: Target) -> None:
    customer = Customer(target)
    original = customer.move("out_invoice", 50.0)
    credit = customer.move("out_refund", 50.0, reversed_entry_id=original)
    assert target.value("account.move", "action_post", [original, credit]) is False
    rows = customer.read(original, credit)
    assert [(r["state"], r["payment_state"]) for r in rows] == [("posted", "not_paid")] * 2


def test_credit_notes_posted_in_one_call_pair_with_the_originals_by_position(
        target: Target) -> None:
    # Odoo's _post reconciles zip(credit_notes.reversed_entry_id, credit_notes): the originals
    # counted once each. Two credit notes of one invoice in one call: the second stays open,
    # and a third, of another customer's invoice, is paired with... nothing, while the second
    # is reconciled with that other customer's invoice. So post one credit note per call, or
    # never two of one invoice in a call.
    alice, bob = Customer(target), Customer(target)
    first = alice.posted("out_invoice", 100.0)
    one = alice.move("out_refund", 10.0, reversed_entry_id=first)
    two = alice.move("out_refund", 20.0, reversed_entry_id=first)
    assert target.value("account.move", "action_post", [one, two]) is False
    states = [r["payment_state"] for r in alice.read(first, one, two)]
    assert states == ["partial", "paid", "not_paid"]

    mine, theirs = alice.posted("out_invoice", 100.0), bob.posted("out_invoice", 100.0)
    one = alice.move("out_refund", 10.0, reversed_entry_id=mine)
    two = alice.move("out_refund", 20.0, reversed_entry_id=mine)
    three = bob.move("out_refund", 30.0, reversed_entry_id=theirs)
    assert target.value("account.move", "action_post", [one, two, three]) is False
    rows = {r["id"]: r for r in alice.read(mine, theirs, one, two, three)}
    assert [rows[i]["payment_state"] for i in (one, two, three)] == ["paid", "paid", "not_paid"]
    owed = {i: rows[i]["amount_total"] - rows[i]["amount_residual"] for i in (mine, theirs)}
    assert owed == pytest.approx({mine: rows[one]["amount_total"],
                                  theirs: rows[two]["amount_total"]})

    mine, theirs = alice.posted("out_invoice", 100.0), bob.posted("out_invoice", 100.0)
    one = alice.move("out_refund", 10.0, reversed_entry_id=mine)
    three = bob.move("out_refund", 30.0, reversed_entry_id=theirs)
    assert target.value("account.move", "action_post", [three, one]) is False
    rows = {r["id"]: r for r in alice.read(mine, theirs, one, three)}
    assert {i: rows[i]["payment_state"] for i in rows} == {
        mine: "partial", theirs: "partial", one: "paid", three: "paid"}


def test_a_credit_note_in_another_currency_is_not_reconciled(target: Target) -> None:
    customer = Customer(target)
    [usd] = target.value("res.currency", "search_read", domain=[["name", "=", "USD"]],
                         fields=["id", "active"])
    if not usd["active"]:
        pytest.skip("USD is not active in this database")
    original = customer.posted("out_invoice", 10.0)
    credit = customer.posted("out_refund", 10.0, reversed_entry_id=original,
                             currency_id=usd["id"])
    rows = customer.read(original, credit)
    assert [r["payment_state"] for r in rows] == ["not_paid", "not_paid"]


def test_reset_to_draft_keeps_the_reconciliation_and_cancel_undoes_it(target: Target) -> None:
    customer = Customer(target)
    original = customer.posted("out_invoice", 30.0)
    credit = customer.posted("out_refund", 30.0, reversed_entry_id=original)
    assert target.value("account.move", "button_draft", [credit]) is None
    [note, invoice] = customer.read(credit, original)
    assert note["display_name"] == f"Draft Credit Note {note['name']} ({note['ref']})"
    assert (note["payment_state"], invoice["payment_state"]) == ("paid", "reversed")
    assert target.value("account.move", "button_cancel", [credit]) is None
    [note, invoice] = customer.read(credit, original)
    assert (note["state"], note["payment_state"]) == ("cancel", "not_paid")
    assert (invoice["payment_state"], invoice["amount_residual"]) == (
        "not_paid", invoice["amount_total"])


def test_deleting_the_original_empties_the_link_and_unreconciles(target: Target) -> None:
    customer = Customer(target)
    original = customer.posted("out_invoice", 30.0)
    credit = customer.posted("out_refund", 30.0, reversed_entry_id=original)
    assert target.value("account.move", "button_draft", [original]) is None
    assert target.value("account.move", "unlink", [original]) is True
    [note] = customer.read(credit)
    assert (note["reversed_entry_id"], note["state"], note["payment_state"]) == (
        False, "posted", "not_paid")
    assert note["amount_residual"] == note["amount_total"]


@pytest.mark.parametrize("move_type", ["out_invoice", "out_refund"])
def test_a_negative_total_is_refused_on_posting(target: Target, move_type: str) -> None:
    customer = Customer(target)
    move = customer.move(move_type, -5.0)
    [draft] = customer.read(move)
    assert draft["amount_untaxed"] == -5.0  # created: only posting refuses it
    answer = target.call("account.move", "action_post", [move])
    assert_refused(answer, "odoo.exceptions.UserError", NEGATIVE_TOTAL, 422)
    assert answer.message == NEGATIVE_TOTAL
    assert customer.read(move)[0]["state"] == "draft"


def test_negative_lines_post_when_the_total_is_positive(target: Target) -> None:
    customer = Customer(target)
    move = customer.posted("out_invoice", 10.0, -4.0)
    [invoice] = customer.read(move)
    assert (invoice["state"], invoice["amount_untaxed"]) == ("posted", 6.0)


def test_a_zero_invoice_posts_and_is_paid(target: Target) -> None:
    customer = Customer(target)
    move = customer.posted("out_invoice", 0.0)
    [invoice] = customer.read(move)
    assert (invoice["state"], invoice["payment_state"], invoice["amount_total"]) == (
        "posted", "paid", 0.0)


# -------------------------------------------------------------------------------- search

def test_invoices_and_credit_notes_are_found_together_by_billing_key(target: Target) -> None:
    billing_key_field(target)
    customer = Customer(target)
    key = unique("KEY")
    original = customer.posted("out_invoice", 100.0, x_fc_billing_key=f"{key}/r0")
    credit = customer.posted("out_refund", 10.0, x_fc_billing_key=f"{key}/r1",
                             reversed_entry_id=original)
    rows = target.value("account.move", "search_read", domain=[
        ["move_type", "in", ["out_invoice", "out_refund"]],
        ["x_fc_billing_key", "in", [f"{key}/r0", f"{key}/r1", f"{key}/r2"]]],
        fields=["x_fc_billing_key", "move_type", "reversed_entry_id", "state",
                "amount_untaxed"], order="id")
    [invoice] = customer.read(original)
    assert rows == [
        {"id": original, "x_fc_billing_key": f"{key}/r0", "move_type": "out_invoice",
         "reversed_entry_id": False, "state": "posted", "amount_untaxed": 100.0},
        {"id": credit, "x_fc_billing_key": f"{key}/r1", "move_type": "out_refund",
         "reversed_entry_id": [original, invoice["display_name"]], "state": "posted",
         "amount_untaxed": 10.0}]
    found = target.value("account.move", "search_read", fields=["id"],
                         domain=[["reversed_entry_id", "=", original]])
    assert found == [{"id": credit}]
