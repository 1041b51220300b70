"""One posted invoice as Odoo holds it, in plain text: what an accountant sees, read back.

`fusion-rating odoo invoice KEY` prints it: the header (number, state, customer and address,
dates, payment term, source, reference), each line (description; quantity, unit, unit price,
subtotal, taxes, income account, analytic split) and the totals. A credit note says so, and
names the invoice it reverses (reversed_entry_id). Only reads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rating.odoo.gateway import Gateway, OdooError
from rating.odoo.setup import KEY_FIELD

MOVE_FIELDS = ["name", "state", KEY_FIELD, "ref", "invoice_origin", "partner_id",
               "invoice_date", "date", "invoice_date_due", "invoice_payment_term_id",
               "journal_id", "fiscal_position_id", "amount_untaxed", "amount_tax",
               "amount_total", "currency_id", "move_type", "reversed_entry_id"]
LINE_FIELDS = ["name", "quantity", "product_uom_id", "price_unit", "tax_ids", "price_subtotal",
               "account_id", "analytic_distribution"]


def invoice_text(odoo: Gateway, key: str) -> str:
    found = odoo.call("account.move", "search_read", domain=[[KEY_FIELD, "=", key]],
                      fields=MOVE_FIELDS, order="id")
    if len(found) != 1:
        raise OdooError("fusion_rating.NoInvoice",
                        f"Odoo holds {len(found)} invoices under the key {key}")
    move = found[0]
    [partner] = odoo.call("res.partner", "read", [_id(move["partner_id"])],
                          fields=["ref", "street", "city", "zip", "state_id", "country_id",
                                  "lang"])
    lines = odoo.call("account.move.line", "search_read",
                      domain=[["move_id", "=", move["id"]], ["display_type", "=", "product"]],
                      fields=LINE_FIELDS, order="sequence, id")
    taxes = _names(odoo, "account.tax", {t for line in lines for t in line["tax_ids"]})
    accounts = {row["id"]: f"{row['code']} {row['name']}" for row in odoo.call(
        "account.account", "read", sorted({_id(line["account_id"]) for line in lines}),
        fields=["code", "name"])}
    analytic = _names(odoo, "account.analytic.account",
                      {int(k) for line in lines for key_ in (line["analytic_distribution"] or {})
                       for k in str(key_).split(",")})
    address = ", ".join(str(part) for part in (
        partner["street"], " ".join(p for p in (partner["city"], _label(partner["state_id"]),
                                                partner["zip"]) if p),
        _label(partner["country_id"])) if part)
    text = [
        f"{_kind(move)}{move['name']} ({move['state']})  {_label(move['partner_id'])}"
        + (f"; reverses {_label(move['reversed_entry_id'])} (Odoo move "
           f"{_id(move['reversed_entry_id'])})" if move.get("reversed_entry_id") else ""),
        f"  {address}; language {partner['lang'] or '-'}; customer code {partner['ref'] or '-'}",
        f"  Invoice date {move['invoice_date']}; due {move['invoice_date_due']} "
        f"({_label(move['invoice_payment_term_id']) or 'no payment term'}); source "
        f"{move['invoice_origin'] or '-'}; reference {move['ref'] or '-'}",
        f"  Journal {_label(move['journal_id'])}; accounting date {move['date']}; fiscal "
        f"position {_label(move['fiscal_position_id']) or '-'}; {KEY_FIELD} {move[KEY_FIELD]} "
        "(not printed)", ""]
    for line in lines:
        split = ", ".join(f"{', '.join(analytic.get(int(k), k) for k in str(key_).split(','))} "
                          f"{_number(share)}%"
                          for key_, share in (line["analytic_distribution"] or {}).items())
        text += [f"  {line['name']}",
                 f"      {_number(line['quantity'])} {_label(line['product_uom_id'])} x "
                 f"{_number(line['price_unit'])} = {_money(line['price_subtotal'])}; taxes "
                 f"{', '.join(taxes.get(t, str(t)) for t in line['tax_ids']) or '-'}; "
                 f"{accounts[_id(line['account_id'])]}; analytic {split or '-'}"]
    text += ["", f"  Untaxed {_money(move['amount_untaxed'])}; taxes {_money(move['amount_tax'])}"
                 f"; total {_money(move['amount_total'])} {_label(move['currency_id'])}"]
    return "\n".join(text)


def _kind(move: dict[str, Any]) -> str:
    return "Credit note " if move.get("move_type") == "out_refund" else ""


def _names(odoo: Gateway, model: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row["id"]: row["name"] for row in odoo.call(model, "read", sorted(ids),
                                                        fields=["name"])}


def _id(value: Any) -> int:
    return int(value[0]) if isinstance(value, list) else int(value)


def _label(value: Any) -> str:
    """A many2one as read() gives it ([id, name] or False)."""
    return str(value[1]) if isinstance(value, list) else ""


def _number(value: Any) -> str:
    """A float Odoo stored, as written: 52215.0 -> 52,215; 1.25e-05 -> 0.0000125."""
    number = Decimal(str(value)).normalize()
    return f"{number:,f}" if number != number.to_integral() else f"{number:,.0f}"


def _money(value: Any) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"
