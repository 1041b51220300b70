"""An Odoo 19 stand-in for tests: JSON-RPC (what odoorpc 0.10.1 speaks) and JSON-2 over HTTP,
a handful of accounting models with Odoo's rules, and fault injection.

The point is the faults: the posting code must survive a 500, a connection dropped before or
after the call was applied, a timeout on a call that succeeded, a refusal, and its own death at
an exact point (`Fault(kind="callback")`). Both transports run the same implementation, and each
call is all-or-nothing like an Odoo transaction.

Documented simplifications (this is not Odoo):
- Fiscal positions are a fixed rule on the partner's address: Ontario or no country keeps the
  product's taxes (HST 13%), the rest of Canada gets GST 5% instead of HST 13%, abroad is untaxed;
  price-included taxes are kept for everyone.
- Orders take plain field names; a many2one sorts by id; every model's default order is "id".
- Computed fields, `state` and `payment_state` cannot be written (Odoo lets some writes through).
- Reconciliation is Odoo's automatic one of a credit note with the move it reverses
  (`reversed_entry_id`) when it is posted, and a payment registered as an accountant does
  (`account.payment.register`: `create` with the context's active_model account.move and
  active_ids, an optional `amount`, then `action_create_payments`); no line-level matching, no
  journals or outstanding accounts for payments. As in Odoo 19 Community, a fully paid invoice
  is `paid` (`in_payment=True`: as with the Accounting app, `in_payment` until
  `match_payments` matches its payments with a bank statement); a payment on a draft is
  accepted (Odoo 19 reconciles it); one on a cancelled move, or on a move with nothing left to
  pay, is refused with Odoo's words.
- Move names: one sequence per journal prefix and year, "INV/2026/00001" (refunds "RINV/...").
- Faults apply to object calls only (execute, execute_kw, JSON-2), not to login or version.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
import socket
import sys
import textwrap
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION_INFO: list[Any] = [19, 0, 0, "final", 0, ""]
RPC_VERSION = {"server_version": "19.0", "server_version_info": VERSION_INFO,
               "server_serie": "19.0", "protocol_version": 1}
WEB_VERSION = {"version": "19.0", "version_info": VERSION_INFO}
UID = 2  # Odoo's admin; 1 is the superuser (OdooBot)
ZERO = Decimal(0)
MOVE, LINE = "account.move", "account.move.line"
# Seeded in this order by _Database._seed, so the ids are fixed.
CAD, HST, GST = 1, 1, 2
UNITS, ALL_CATEGORY, GOODS_ACCOUNT, SERVICES_ACCOUNT = 1, 1, 1, 2


# ------------------------------------------------------------------------------------ errors

class OdooError(Exception):
    """An error Odoo reports to the client. `name` is the exception's Python path in Odoo,
    `status` the HTTP status JSON-2 answers with (JSON-RPC always answers 200)."""

    name = "odoo.exceptions.UserError"
    status = 422
    json2_name = ""  # routing errors carry werkzeug's name on JSON-2

    def __init__(self, message: str, json2_message: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.json2_message = json2_message or message  # JSON-2's router words some otherwise


class UserError(OdooError):
    pass


class ValidationError(UserError):
    name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    name = "odoo.exceptions.MissingError"
    status = 404  # MissingError.http_status in Odoo 19


class AccessError(UserError):
    name = "odoo.exceptions.AccessError"
    status = 403


class InvalidValue(OdooError):
    """The ORM's ValueError: an unknown field, a value of the wrong shape."""

    name = "builtins.ValueError"
    status = 500  # not a UserError: JSON-2 answers it as an internal error


class AccessDenied(OdooError):
    name = "odoo.exceptions.AccessDenied"
    status = 401
    json2_name = "werkzeug.exceptions.Unauthorized"


class BadArguments(OdooError):
    name = "builtins.TypeError"
    status = 500


class IndexOutOfRange(OdooError):
    """call_kw reading `args[0]` of an empty list: a record method's ids, create's vals_list."""

    name = "builtins.IndexError"
    status = 500

    def __init__(self) -> None:
        super().__init__("list index out of range")


class InvalidTextRepresentation(OdooError):
    """PostgreSQL refusing a text where an integer goes (a many2one given a name)."""

    name = "psycopg2.errors.InvalidTextRepresentation"
    status = 500


class UnprocessableEntity(OdooError):
    """JSON-2 refusing the arguments before the call (inspect.signature.bind, ids)."""

    name = "werkzeug.exceptions.UnprocessableEntity"
    status = 422


class NoDatabase(OdooError):
    """JSON-2 naming a database the dbfilter rejects: Odoo has no route, a 404 HTML page."""

    status = 404


class UnknownModel(UserError):
    status = 404
    json2_name = "werkzeug.exceptions.NotFound"


class UnknownMethod(OdooError):
    name = "builtins.AttributeError"
    status = 404
    json2_name = "werkzeug.exceptions.NotFound"


class BadRequest(OdooError):
    name = "werkzeug.exceptions.BadRequest"
    status = 400


def _error_info(exc: BaseException, transport: str) -> tuple[int, dict[str, Any]]:
    """The HTTP status (JSON-2) and Odoo's error object for an exception."""
    if isinstance(exc, OdooError):
        name = exc.json2_name if transport == "json2" and exc.json2_name else exc.name
        status, message = exc.status, exc.json2_message if transport == "json2" else exc.message
    else:  # a bug here or in a test's predicate: Odoo answers such errors with a 500
        name, status, message = f"builtins.{type(exc).__name__}", 500, str(exc)
    return status, {"name": name, "message": message, "arguments": [message], "context": {},
                    "debug": "".join(traceback.format_exception(exc))}


# ------------------------------------------------------------------------------------ schema

@dataclass(frozen=True)
class Field:
    """One field. kind: char, integer, boolean, decimal, date, selection, many2one,
    many2many or one2many ("decimal" is Odoo's float/monetary, kept as Decimal here)."""

    kind: str
    required: bool = False
    default: Any = None  # None: the kind's empty value
    comodel: str = ""
    inverse: str = ""  # one2many: the comodel's many2one back to this model
    selection: tuple[str, ...] = ()
    digits: str = ""  # a decimal.precision name: values are rounded on create and write
    readonly: bool = False  # computed, or changed only by the model's actions
    computed: bool = False
    custom: bool = False  # an x_ field: it exists once an ir.model.fields record creates it
    string: str = ""  # Odoo's label (fields_get, messages); "" : the name, titled
    # Readonly in Odoo's views (fields_get says so), yet written through the API like any
    # stored field: reversed_entry_id.
    view_readonly: bool = False
    # A many2one create does not read: a missing target fails on PostgreSQL's foreign key
    # (a ValidationError) instead of a MissingError; write reads it (MissingError).
    foreign_key_on_create: bool = False
    ondelete: str = "restrict"  # many2one: "set null" empties it when the target is deleted



def _char(required: bool = False, default: Any = None) -> Field:
    return Field("char", required=required, default=default)


def _m2o(comodel: str, required: bool = False) -> Field:
    return Field("many2one", required=required, comodel=comodel)


def _flag(default: bool = False) -> Field:
    return Field("boolean", default=default)


def _amount() -> Field:
    return Field("decimal", readonly=True, computed=True)


MOVE_TYPES = ("entry", "out_invoice", "out_refund", "in_invoice", "in_refund")
SALE_TYPES, PURCHASE_TYPES = ("out_invoice", "out_refund"), ("in_invoice", "in_refund")
# Odoo 19's _get_move_display_name: a draft's label, then its number (once it has one), then
# " (ref)" with the ref shortened to 50 characters.
DRAFT_LABELS = {"entry": "Draft Entry", "out_invoice": "Draft Invoice",
                "out_refund": "Draft Credit Note", "in_invoice": "Draft Bill",
                "in_refund": "Draft Vendor Credit Note"}
# amount_*_signed: the receivable's direction (Odoo's direction_sign, inverted): a customer
# credit note and a vendor bill are negative.
NEGATIVE_TYPES = ("out_refund", "in_invoice")
DEBIT_TYPES = ("out_invoice", "in_refund")  # their receivable (payable) is a debit
# account.move.write on a posted move: the readonly fields Odoo names in its refusal (of those
# modelled here), and the fields let through here (Odoo lets more through: move_type...).
POSTED_READONLY = ("invoice_line_ids", "invoice_date", "date", "partner_id",
                   "invoice_payment_term_id", "currency_id", "fiscal_position_id")
POSTED_WRITABLE = ("ref", "narration", "invoice_origin", "reversed_entry_id")
PAYMENT_STATES = ("not_paid", "in_payment", "paid", "partial", "reversed", "blocked",
                  "invoicing_legacy")
REGISTER, PAYMENT = "account.payment.register", "account.payment"

MODELS: dict[str, dict[str, Field]] = {
    "res.users": {"name": _char(True), "login": _char(True), "active": _flag(True)},
    "res.country": {"name": _char(True), "code": _char()},
    "res.country.state": {"name": _char(True), "code": _char(True),
                          "country_id": _m2o("res.country", required=True)},
    "res.currency": {"name": _char(True), "symbol": _char(True),
                     "rounding": Field("decimal", default=Decimal("0.01")),
                     "decimal_places": Field("integer", default=2), "active": _flag(True)},
    "decimal.precision": {"name": _char(True), "digits": Field("integer", default=2)},
    "account.tax": {"name": _char(True), "amount": Field("decimal"),
                    "type_tax_use": Field("selection", selection=("sale", "purchase", "none"),
                                          default="sale"),
                    "price_include": _flag(), "active": _flag(True)},
    "res.partner": {"name": _char(True), "email": _char(), "ref": _char(),
                    "street": _char(), "city": _char(), "zip": _char(),
                    # Any code is stored (as Odoo 19 does); an invoice with a product line
                    # for a partner whose language is not active is refused.
                    "lang": _char(),
                    "country_id": _m2o("res.country"), "state_id": _m2o("res.country.state"),
                    "customer_rank": Field("integer"), "is_company": _flag(),
                    "active": _flag(True)},
    "res.lang": {"name": _char(True), "code": _char(True), "active": _flag()},
    "res.company": {"name": _char(True),
                    "tax_calculation_rounding_method": Field("selection", default="round_globally",
                                                             selection=("round_per_line",
                                                                        "round_globally")),
                    "fiscalyear_lock_date": Field("date"),
                    "sale_lock_date": Field("date"), "tax_lock_date": Field("date"),
                    "hard_lock_date": Field("date")},
    "ir.model": {"name": _char(True), "model": _char(True)},
    "ir.model.fields": {"name": _char(True), "model": _char(),
                        "model_id": _m2o("ir.model", required=True),
                        "ttype": Field("selection", required=True, selection=(
                            "char", "text", "integer", "float", "boolean", "date")),
                        "field_description": _char(True), "index": _flag(), "copied": _flag(),
                        "store": _flag(True), "help": _char()},
    "uom.uom": {"name": _char(True), "relative_factor": Field("decimal", default=Decimal(1)),
                "relative_uom_id": _m2o("uom.uom"), "active": _flag(True)},
    "account.account": {"name": _char(True), "code": _char(True),
                        "account_type": Field("selection", required=True, selection=(
                            "income", "income_other", "asset_receivable", "liability_current",
                            "expense"))},
    "product.category": {"name": _char(True), "parent_id": _m2o("product.category"),
                         "property_account_income_categ_id": _m2o("account.account")},
    "account.analytic.plan": {"name": _char(True)},
    "account.analytic.account": {"name": _char(True),
                                 "plan_id": _m2o("account.analytic.plan", required=True),
                                 "active": _flag(True)},
    "account.payment.term": {"name": _char(True), "active": _flag(True)},
    "account.fiscal.position": {"name": _char(True)},
    # Settings: executing a record turns the groups on (Odoo answers with a client action).
    "res.config.settings": {"group_analytic_accounting": _flag(), "group_uom": _flag()},
    "base.language.install": {"lang_ids": Field("many2many", comodel="res.lang")},
    "product.product": {
        "name": _char(True), "default_code": _char(),
        # Created over the API without one, a product has no category (Odoo 19).
        "categ_id": _m2o("product.category"),
        "uom_id": Field("many2one", comodel="uom.uom", default=UNITS),
        "type": Field("selection", selection=("consu", "service", "combo"), default="consu"),
        "list_price": Field("decimal", digits="Product Price"),
        # The company's default sale tax, as Odoo sets it on new products.
        "taxes_id": Field("many2many", comodel="account.tax", default=(HST,)),
        "sale_ok": _flag(True), "active": _flag(True)},
    "account.journal": {"name": _char(True), "code": _char(True),
                        "type": Field("selection", required=True, selection=(
                            "sale", "purchase", "cash", "bank", "general"))},
    MOVE: {
        "name": _char(default="/"),
        "move_type": Field("selection", required=True, selection=MOVE_TYPES, default="entry"),
        "partner_id": _m2o("res.partner"), "invoice_date": Field("date"), "ref": _char(),
        "date": Field("date"), "invoice_origin": _char(),
        "invoice_payment_term_id": _m2o("account.payment.term"),
        # Set from the partner's address when the move is created (see _mapped_taxes).
        "fiscal_position_id": Field("many2one", comodel="account.fiscal.position",
                                    readonly=True),
        # Computed and stored in Odoo 19 (_compute_invoice_date_due), draft or posted: the
        # payment term's last maturity from the invoice date (else the accounting date, else
        # today); without a term (or lines), the date stored, today's at creation.
        "invoice_date_due": Field("date", readonly=True, computed=True),
        "x_fc_billing_key": Field("char", custom=True),
        "narration": _char(), "journal_id": _m2o("account.journal", required=True),
        "currency_id": Field("many2one", required=True, comodel="res.currency", default=CAD),
        "state": Field("selection", selection=("draft", "posted", "cancel"), default="draft",
                       readonly=True),
        "invoice_line_ids": Field("one2many", comodel=LINE, inverse="move_id"),
        # The move a credit note reverses: readonly in Odoo's views, written by the API on
        # create and write (even on a posted move); a missing id fails on the foreign key on
        # create; deleting the original empties it. Posting a move whose original is posted
        # reconciles their receivables (see action_post).
        "reversed_entry_id": Field("many2one", comodel=MOVE, string="Reversal of",
                                   view_readonly=True, foreign_key_on_create=True,
                                   ondelete="set null"),
        # Odoo writes it with commands; here it is only read and searched.
        "reversal_move_ids": Field("one2many", comodel=MOVE, inverse="reversed_entry_id",
                                   string="Reversal Move", readonly=True),
        "amount_untaxed": _amount(), "amount_tax": _amount(), "amount_total": _amount(),
        "amount_untaxed_signed": _amount(), "amount_total_signed": _amount(),
        # amount_total less what is reconciled with it (a credit note, here).
        "amount_residual": _amount(),
        "payment_state": Field("selection", selection=PAYMENT_STATES, readonly=True,
                               computed=True)},
    # The register payment wizard: the moves it pays come from the context of its create.
    REGISTER: {"amount": Field("decimal"), "payment_date": Field("date"),
               "communication": _char()},
    PAYMENT: {"name": _char(), "amount": Field("decimal"), "partner_id": _m2o("res.partner"),
              "payment_type": Field("selection", selection=("inbound", "outbound")),
              "state": Field("selection", selection=("draft", "in_process", "paid"),
                             readonly=True),
              "is_matched": Field("boolean", readonly=True), "memo": _char()},
    LINE: {
        "move_id": _m2o(MOVE, required=True), "product_id": _m2o("product.product"),
        # Default: the product category's income account, else the journal's (411100).
        "account_id": _m2o("account.account"), "product_uom_id": _m2o("uom.uom"),
        "analytic_distribution": Field("analytic"),
        "name": _char(), "quantity": Field("decimal", default=Decimal(1), digits="Product Unit"),
        "price_unit": Field("decimal", digits="Product Price"),
        "price_subtotal": _amount(), "price_total": _amount(),
        "tax_ids": Field("many2many", comodel="account.tax"),
        "sequence": Field("integer", default=10),
        "display_type": Field("selection", selection=("product", "line_section", "line_note"),
                              default="product")},
}
for _fields in MODELS.values():  # every Odoo model has these two
    _fields["id"] = Field("integer", readonly=True)
    _fields["display_name"] = Field("char", readonly=True, computed=True)

EMPTY: dict[str, Any] = {"integer": 0, "boolean": False, "decimal": ZERO, "many2many": []}
# The seeded ca_2023 accounts a test may look for by code.
ACCOUNT_CODES = {GOODS_ACCOUNT: "411100", SERVICES_ACCOUNT: "411200"}

OPERATORS = ("=", "!=", "in", "not in", "<", "<=", ">", ">=", "like", "ilike", "not like",
             "not ilike", "=like", "=ilike")
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
ORDER_TERM = re.compile(r"^\s*(\w+)(?:\s+(asc|desc))?\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------------- methods

_REQUIRED = object()


@dataclass(frozen=True)
class _Signature:
    on_records: bool  # the first positional argument (JSON-2: "ids") are the records
    params: tuple[tuple[str, Any], ...] = ()  # (name, default) in positional order
    models: tuple[str, ...] = ()  # empty: every model
    # Takes **kwargs (search_read's read_kwargs): JSON-2's signature.bind lets unknown names
    # through, and the call itself fails with a TypeError.
    var_kwargs: bool = False


SIGNATURES: dict[str, _Signature] = {
    "search": _Signature(False, (("domain", _REQUIRED), ("offset", 0), ("limit", None),
                                 ("order", None))),
    "search_read": _Signature(False, (("domain", None), ("fields", None), ("offset", 0),
                                      ("limit", None), ("order", None)), var_kwargs=True),
    "search_count": _Signature(False, (("domain", _REQUIRED), ("limit", None))),
    "read": _Signature(True, (("fields", None), ("load", "_classic_read"))),
    "create": _Signature(False, (("vals_list", _REQUIRED),)),
    "write": _Signature(True, (("vals", _REQUIRED),)),
    "unlink": _Signature(True),
    "fields_get": _Signature(False, (("allfields", None), ("attributes", None))),
    "context_get": _Signature(False, (), ("res.users",)),
    "action_post": _Signature(True, (), (MOVE,)),
    "execute": _Signature(True, (), ("res.config.settings",)),
    "default_get": _Signature(False, (("fields", _REQUIRED),), ("res.config.settings",)),
    "lang_install": _Signature(True, (), ("base.language.install",)),
    "button_cancel": _Signature(True, (), (MOVE,)),
    "button_draft": _Signature(True, (), (MOVE,)),
    "action_create_payments": _Signature(True, (), (REGISTER,)),
}


@dataclass(frozen=True)
class _Bound:
    """A call's arguments by name, whichever transport brought them."""

    ids: list[int] | None
    named: dict[str, Any]
    context: dict[str, Any]
    # Raised once the method has run (so rolled back): call_kw shaping create's answer from
    # args[0] when vals_list came by name over /jsonrpc.
    fail_after: OdooError | None = None

    @property
    def params(self) -> dict[str, Any]:
        """What a fault's predicate sees: the named parameters, and the ids of a record call."""
        return self.named if self.ids is None else {"ids": self.ids, **self.named}


def _signature(model: str, method: str) -> _Signature:
    if model not in MODELS:
        raise UnknownModel(f"Object {model} doesn't exist",
                           json2_message=f"the model {model!r} does not exist")
    if method.startswith("_"):  # odoo.service.model.get_public_method
        raise AccessError(f"Private methods (such as '{model}.{method}') cannot be called "
                          "remotely.")
    signature = SIGNATURES.get(method)
    if signature is None or (signature.models and model not in signature.models):
        raise UnknownMethod(f"The method '{model}.{method}' does not exist")
    return signature


def _bind_positional(model: str, method: str, args: Any, kwargs: Any) -> _Bound:
    """execute_kw's (args, kwargs) as Odoo 19's call_kw takes them: args[0] are the ids of a
    record method (none: IndexError), and create's answer is shaped from args[0], so
    vals_list by name runs the create, then fails with an IndexError (rolled back)."""
    signature = _signature(model, method)
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise BadArguments("execute_kw expects a list of arguments and a dict of keywords")
    kwargs = dict(kwargs)
    context = _context(kwargs.pop("context", None))
    ids = None
    if signature.on_records:
        if not args:
            raise IndexOutOfRange()
        ids, args = _ids(args[0]), args[1:]
    fail_after = IndexOutOfRange() if method == "create" and not args else None
    return _Bound(ids, _named(signature, method, args, kwargs), context, fail_after)


def _bind_named(model: str, method: str, body: dict[str, Any]) -> _Bound:
    """JSON-2's body: `ids`, `context` and the method's parameters by name; `ids` on an
    @api.model method and arguments the signature does not bind are a 422."""
    signature = _signature(model, method)
    body = dict(body)
    context = _context(body.pop("context", None))
    ids = _ids(body.pop("ids", None))
    if ids and not signature.on_records:
        raise UnprocessableEntity(f"cannot call {model}.{method} with ids")
    return _Bound(ids if signature.on_records else None,
                  _named(signature, method, [], body, json2=True), context)


def _named(signature: _Signature, method: str, args: list[Any],
           kwargs: dict[str, Any], json2: bool = False) -> dict[str, Any]:
    """The arguments by name, refused as Python refuses them (JSON-2: as inspect.signature's
    bind words it, a 422, except what a **kwargs method lets through to the call)."""
    names = [name for name, _ in signature.params]
    if len(args) > len(names):
        raise BadArguments(f"{method}() takes {len(names)} arguments but {len(args)} were given")
    named = dict(zip(names, args, strict=False))
    for name, value in kwargs.items():
        if name not in names:
            if json2 and not signature.var_kwargs:
                raise UnprocessableEntity(f"got an unexpected keyword argument '{name}'")
            raise BadArguments(f"{method}() got an unexpected keyword argument '{name}'")
        if name in named:
            raise BadArguments(f"{method}() got multiple values for argument '{name}'")
        named[name] = value
    for name, default in signature.params:
        if name not in named:
            if default is _REQUIRED:
                if json2:
                    raise UnprocessableEntity(f"missing a required argument: '{name}'")
                raise BadArguments(f"{method}() missing 1 required argument: '{name}'")
            named[name] = default
    return named


def _context(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadArguments(f"context must be a dict, not {value!r}")
    return value


def _ids(value: Any) -> list[int]:
    """Record ids as Odoo's browse() takes them: one id, a list, or nothing."""
    if value is None or value is False:
        return []
    if _is_id(value):
        return [value]
    if isinstance(value, list) and all(_is_id(item) for item in value):
        return list(value)
    raise InvalidValue(f"Invalid record ids: {value!r}")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------------- database

def _round(value: Decimal, step: Decimal) -> Decimal:
    """Half-up (away from zero), as Odoo's float_round."""
    try:
        return value.quantize(step, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise InvalidValue(f"Value out of range: {value}") from None


def _decimal(value: Any) -> Decimal:
    """A JSON number as the decimal the client wrote (a float's shortest repr)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidValue(f"Not a number: {value!r}") from None
    if not number.is_finite():
        raise InvalidValue(f"Not a number: {value!r}")
    return number


def _is_null(value: Any) -> bool:
    return value is None or value is False


def _command(command: Any, label: str) -> tuple[Any, Any, Any]:
    """An x2many command [code, id, value], padded as Odoo pads (5,) or (4, id)."""
    if not isinstance(command, (list, tuple)) or not command or not _is_id(command[0]):
        raise InvalidValue(f"Invalid command {command!r} for {label}")
    code, record_id, value = [*command, 0, 0][:3]
    return code, record_id, value


class _Database:
    """The records, the id counters and the move sequences: everything a rollback restores."""

    def __init__(self, login: str, price_digits: int, quantity_digits: int,
                 in_payment: bool = False) -> None:
        # The Accounting app's `_get_invoice_in_payment_state`: in_payment until matched.
        self.in_payment = in_payment
        # The moves each register payment wizard pays (its context's active_ids).
        self.wizard_moves: dict[int, list[int]] = {}
        self.tables: dict[str, dict[int, dict[str, Any]]] = {model: {} for model in MODELS}
        self.next_id = dict.fromkeys(MODELS, 1)
        self.sequences: dict[str, int] = {}
        self.groups: set[str] = set()  # settings turned on (res.config.settings.execute)
        # Receivables reconciled together (Odoo's account.partial.reconcile): a posted credit
        # note with its original invoice, for `amount` in the moves' currency.
        self.partials: list[_Partial] = []
        self._seed(login, price_digits, quantity_digits)

    def _seed(self, login: str, price_digits: int, quantity_digits: int) -> None:
        self.next_id["res.users"] = UID
        self.create_one("res.users", {"name": "Administrator", "login": login})
        countries = [self.create_one("res.country", {"name": name, "code": code}) for name, code
                     in (("Canada", "CA"), ("United States", "US"), ("France", "FR"))]
        for name, code in (("Ontario", "ON"), ("Quebec", "QC"), ("British Columbia", "BC"),
                           ("Alberta", "AB"), ("Manitoba", "MB"), ("Saskatchewan", "SK"),
                           ("Nova Scotia", "NS"), ("New Brunswick", "NB"),
                           ("Newfoundland and Labrador", "NL"), ("Prince Edward Island", "PE"),
                           ("Yukon", "YT"), ("Northwest Territories", "NT"), ("Nunavut", "NU")):
            self.create_one("res.country.state",
                            {"name": name, "code": code, "country_id": countries[0]})
        for name, code in (("New York", "NY"), ("California", "CA")):
            self.create_one("res.country.state",
                            {"name": name, "code": code, "country_id": countries[1]})
        for name, symbol in (("CAD", "$"), ("USD", "$")):
            self.create_one("res.currency", {"name": name, "symbol": symbol})
        for name, digits in (("Product Price", price_digits),
                             ("Product Unit", quantity_digits), ("Discount", 2)):
            self.create_one("decimal.precision", {"name": name, "digits": digits})
        for name, amount, included in (("HST 13%", 13, False), ("GST 5%", 5, False),
                                       ("Exempt 0%", 0, False), ("HST 13% incl.", 13, True)):
            self.create_one("account.tax",
                            {"name": name, "amount": amount, "price_include": included})
        self.create_one("uom.uom", {"name": "Units"})
        self.create_one("uom.uom", {"name": "Hours"})
        for code, name, kind in (("411100", "Sales of Goods", "income"),
                                 ("411200", "Sales of Services", "income"),
                                 ("121000", "Account Receivable", "asset_receivable")):
            self.create_one("account.account", {"code": code, "name": name,
                                                "account_type": kind})
        self.create_one("product.category", {"name": "All",
                                             "property_account_income_categ_id": GOODS_ACCOUNT})
        for term in ("Immediate Payment", "15 Days", "30 Days", "End of Following Month"):
            self.create_one("account.payment.term", {"name": term})
        for code, name, active in (("en_US", "English (US)", True),
                                   ("fr_CA", "French (CA) / Français (CA)", False),
                                   ("en_CA", "English (CA)", False)):
            self.create_one("res.lang", {"code": code, "name": name, "active": active})
        self.create_one("res.company", {"name": "NexaSystems"})
        self.create_one("ir.model", {"name": "Journal Entry", "model": MOVE})
        self.create_one("account.journal",
                        {"name": "Customer Invoices", "code": "INV", "type": "sale"})
        self.create_one("account.journal",
                        {"name": "Miscellaneous", "code": "MISC", "type": "general"})

    # ---- dispatch

    def execute(self, model: str, method: str, call: _Bound, uid: int) -> Any:
        ids, p = call.ids or [], call.named
        self._check_access(model, method)
        if method == "search":
            return self.search(model, p["domain"], p["offset"], p["limit"], p["order"],
                               call.context)
        if method == "search_read":
            found = self.search(model, p["domain"], p["offset"], p["limit"], p["order"],
                                call.context)
            return self.read(model, found, p["fields"])
        if method == "search_count":
            return len(self.search(model, p["domain"], 0, p["limit"], None, call.context))
        if method == "read":
            return self.read(model, ids, p["fields"], p["load"])
        if method == "create" and model == REGISTER:
            return self.create_register(p["vals_list"], call.context)
        if method == "create":
            return self.create(model, p["vals_list"])
        if method == "action_create_payments":
            return self.action_create_payments(ids)
        if method == "write":
            self.write(model, ids, p["vals"])
            return True
        if method == "unlink":
            self.unlink(model, ids)
            return True
        if method == "fields_get":
            return self.fields_get(model, p["allfields"], p["attributes"])
        if method == "context_get":
            return {"lang": "en_CA", "tz": "America/Toronto", "uid": uid}
        if method == "action_post":
            self.action_post(ids)
            return False
        if method == "button_cancel":  # Odoo's buttons answer None (null on the wire)
            self.button_cancel(ids)
            return None
        if method == "button_draft":
            self.button_draft(ids)
            return None
        if method == "default_get":  # the settings' current values
            return {name: name in self.groups for name in p["fields"] or []
                    if name in MODELS[model]}
        if method == "execute":
            for settings in self.existing(model, ids):
                for group in ("group_analytic_accounting", "group_uom"):
                    if settings[group]:
                        self.groups.add(group)
            return {"type": "ir.actions.client", "tag": "reload"}
        if method == "lang_install":
            for wizard in self.existing(model, ids):
                for lang_id in wizard["lang_ids"]:
                    self.tables["res.lang"][lang_id]["active"] = True
            return {"type": "ir.actions.act_window", "res_model": "res.lang"}
        raise UnknownMethod(f"The method '{model}.{method}' does not exist")

    def _check_access(self, model: str, method: str) -> None:
        """Analytic plans need the Analytic Accounting setting, even for the administrator;
        analytic accounts can be read without it, not created."""
        if "group_analytic_accounting" in self.groups:
            return
        if model == "account.analytic.plan" or (
                model == "account.analytic.account" and method not in READ_ONLY_METHODS):
            raise AccessError("You are not allowed to access 'Analytic Plans' "
                              "(account.analytic.plan) records.\n\nThis operation is allowed "
                              "for the following groups:\n\t- Analytic Accounting\n\t- Show "
                              "Full Accounting Features")

    # ---- fields and values

    def field(self, model: str, name: Any) -> Field:
        found = MODELS[model].get(name) if isinstance(name, str) else None
        if found is None or (found.custom and not self.custom_exists(model, name)):
            raise InvalidValue(f"Invalid field {name!r} on model {model!r}")
        return found

    def custom_exists(self, model: str, name: str) -> bool:
        return any(f["model"] == model and f["name"] == name
                   for f in self.tables["ir.model.fields"].values())

    def existing(self, model: str, ids: list[int]) -> list[dict[str, Any]]:
        missing = [i for i in ids if i not in self.tables[model]]
        if missing:
            raise MissingError("Record does not exist or has been deleted.\n"
                               f"(Record: {model}({', '.join(map(str, missing))},), User: {UID})")
        return [self.tables[model][i] for i in ids]

    def value(self, model: str, record: dict[str, Any], name: str) -> Any:
        """A field's value as stored (Decimal, id, ids), computed fields included."""
        spec = MODELS[model][name]
        if name == "display_name":
            return self.display_name(model, record)
        if spec.kind == "one2many":
            return [r["id"] for r in self.tables[spec.comodel].values()
                    if r[spec.inverse] == record["id"]]
        if spec.computed:
            return self.compute(model, record, name)
        return record[name]

    def display_name(self, model: str, record: dict[str, Any]) -> str:
        if model == MOVE:
            return _move_display_name(record)
        if model == "product.product" and record["default_code"]:
            return f"[{record['default_code']}] {record['name']}"
        return str(record.get("name") or "")

    def convert(self, model: str, name: str, value: Any, current: Any) -> Any:
        """A value from the client as stored, checked as Odoo's ORM checks it."""
        spec, label = MODELS[model][name], f"{model}.{name}"
        if spec.kind == "char":
            return False if _is_null(value) else str(value)
        if spec.kind == "boolean":
            return bool(value)
        if spec.kind == "integer":
            if _is_null(value):
                return 0
            if isinstance(value, (int, float)) and int(value) == value:
                return int(value)
            raise InvalidValue(f"Wrong value for {label}: {value!r}")
        if spec.kind == "decimal":
            number = ZERO if _is_null(value) else _decimal(value)
            if spec.digits:  # Odoo rounds a float field with digits when it is set
                number = _round(number, Decimal(1).scaleb(-self.digits(spec.digits)))
            return number
        if spec.kind == "date":
            return self._date(value, label)
        if spec.kind == "analytic":
            return self._analytic(value, label)
        if spec.kind == "selection":
            if _is_null(value) or value in spec.selection:
                return False if _is_null(value) else value
            raise InvalidValue(f"Wrong value for {label}: {value!r}")
        if spec.kind == "many2one":
            return self._many2one(spec.comodel, value, label)
        return self._many2many(spec.comodel, value, current, label)

    def _analytic(self, value: Any, label: str) -> dict[str, Decimal] | bool:
        """{analytic account id (as text): percentage}, each account existing."""
        if _is_null(value):
            return False
        if not isinstance(value, dict):
            raise InvalidValue(f"Wrong value for {label}: {value!r}")
        distribution: dict[str, Decimal] = {}
        for key, share in value.items():
            ids = [int(part) for part in str(key).split(",") if part.strip().isdigit()]
            if not ids or len(ids) != len(str(key).split(",")):
                raise InvalidValue(f"Wrong value for {label}: {value!r}")
            self.existing("account.analytic.account", ids)
            distribution[str(key)] = _decimal(share)
        return distribution

    @staticmethod
    def _date(value: Any, label: str) -> str | bool:
        if _is_null(value):
            return False
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # Odoo takes the date part of a datetime
                return dt.date.fromisoformat(value[:10]).isoformat()
        raise InvalidValue(f"time data {value!r} does not match format '%Y-%m-%d' ({label})")

    def _many2one(self, comodel: str, value: Any, label: str) -> int | bool:
        if _is_null(value):
            return False
        if isinstance(value, str):  # PostgreSQL casts the text, or refuses it
            if not value.strip().isdigit():
                raise InvalidTextRepresentation(
                    f'invalid input syntax for type integer: "{value}"')
            value = int(value)
        if (isinstance(value, (list, tuple)) and len(value) == 2 and _is_id(value[0])
                and isinstance(value[1], str)):  # [id, name] as read() gives it: an ARRAY
            raise InvalidTextRepresentation(
                f'invalid input syntax for type integer: "{value[1]}"')
        if not _is_id(value):
            raise InvalidValue(f"Wrong value for {label}: {value!r}")
        self.existing(comodel, [value])
        return int(value)

    def _many2many(self, comodel: str, value: Any, current: list[int],
                   label: str) -> list[int]:
        if _is_null(value):
            return []
        if not isinstance(value, list):
            raise InvalidValue(f"Wrong value for {label}: {value!r}")
        if all(_is_id(item) for item in value):  # a plain list of ids replaces (Odoo 16+)
            ids = list(value)
        else:
            ids = list(current)
            for command in value:
                code, record_id, ids_value = _command(command, label)
                if code == 6:
                    ids = _ids(ids_value)
                elif code == 4:
                    ids.append(record_id)
                elif code == 3:
                    ids = [i for i in ids if i != record_id]
                elif code == 5:
                    ids = []
                else:
                    raise InvalidValue(f"Unsupported command {command!r} for {label}")
        ids = list(dict.fromkeys(ids))
        self.existing(comodel, ids)
        return ids

    def digits(self, precision: str) -> int:
        for record in self.tables["decimal.precision"].values():
            if record["name"] == precision:
                return int(record["digits"])
        return 2

    # ---- CRUD

    def create(self, model: str, vals_list: Any) -> int | list[int]:
        if isinstance(vals_list, dict):  # Odoo answers a single dict with a single id
            return self.create_one(model, vals_list)
        if not isinstance(vals_list, list) or not all(isinstance(v, dict) for v in vals_list):
            raise InvalidValue("create() expects a dict or a list of dicts")
        return [self.create_one(model, vals) for vals in vals_list]

    def create_one(self, model: str, vals: dict[str, Any]) -> int:
        self._check_writable(model, vals)
        record: dict[str, Any] = {"id": self.next_id[model]}
        for name, spec in MODELS[model].items():
            if name == "id" or spec.computed or spec.kind == "one2many":
                continue
            if name in vals:
                self._check_foreign_key(model, name, vals[name])
                record[name] = self.convert(model, name, vals[name], [])
            elif spec.default is not None:
                record[name] = list(spec.default) if spec.kind == "many2many" else spec.default
            else:
                record[name] = copy.copy(EMPTY.get(spec.kind, False))
        if model == MOVE and "journal_id" not in vals:
            record["journal_id"] = self._default_journal(record["move_type"])
        if model == MOVE and "date" not in vals:  # the accounting date follows the invoice's
            record["date"] = record["invoice_date"] or dt.date.today().isoformat()
        if model == MOVE:
            record["fiscal_position_id"] = self._fiscal_position(record["partner_id"])
            record["invoice_date_due"] = dt.date.today().isoformat()
        if model == "ir.model.fields":
            self._check_custom_field(record)
        self._check_record(model, record)
        if model == LINE:
            self._check_draft(self._move_of(model, record))
            self._complete_line(record, set(vals))
        self.tables[model][record["id"]] = record
        self.next_id[model] += 1
        if model == MOVE and "invoice_line_ids" in vals:
            self._apply_lines(record["id"], vals["invoice_line_ids"])
        return int(record["id"])

    def write(self, model: str, ids: list[int], vals: Any) -> None:
        if not isinstance(vals, dict):
            raise InvalidValue("write() expects a dict of values")
        records = self.existing(model, ids)
        self._check_writable(model, vals)
        for record in records:
            if model == MOVE and record["state"] == "posted":
                self._check_posted_write(vals)
            else:
                self._check_draft(self._move_of(model, record))
            for name, value in vals.items():
                if MODELS[model][name].kind != "one2many":
                    record[name] = self.convert(model, name, value, record[name])
            if model == LINE and "product_id" in vals:  # Odoo recomputes name and taxes
                self._complete_line(record, set(vals))
            self._check_record(model, record)
            if model == MOVE and "invoice_line_ids" in vals:
                self._apply_lines(record["id"], vals["invoice_line_ids"])

    def unlink(self, model: str, ids: list[int]) -> None:
        records = self.existing(model, ids)
        for record in records:
            if model == MOVE and record["state"] == "posted":
                raise UserError("You can't delete a posted journal item. Don’t play games with "
                                "your accounting records; reset the journal entry to draft "
                                "before deleting it.")
            if model == LINE:
                self._check_draft(self._move_of(model, record))
        for record in records:
            if model == MOVE:  # a move's lines go with it (ondelete cascade), unreconciled
                for line_id in self.value(MOVE, record, "invoice_line_ids"):
                    del self.tables[LINE][line_id]
                self._unreconcile(record["id"])
            self._check_unreferenced(model, record["id"])
            del self.tables[model][record["id"]]

    def _check_foreign_key(self, model: str, name: str, value: Any) -> None:
        """A many2one that create does not read: a missing target is PostgreSQL's foreign key
        violation, worded as Odoo 19's _sql_error_to_message_generic words it."""
        spec = MODELS[model][name]
        if (spec.foreign_key_on_create and _is_id(value)
                and value not in self.tables[spec.comodel]):
            raise ValidationError(
                "The operation cannot be completed: Another model is using the record you are "
                "trying to delete.\n\nThe troublemaker is: "
                f"'{self._model_string(model)}' ({model})\n"
                f"Thanks to the following constraint: '{spec.string}' ({name})\n"
                "How about archiving the record instead?")

    def _model_string(self, model: str) -> str:
        return next((m["name"] for m in self.tables["ir.model"].values()
                     if m["model"] == model), model)

    def _check_custom_field(self, record: dict[str, Any]) -> None:
        """Odoo's rules for a field created through ir.model.fields."""
        record["model"] = self.tables["ir.model"][record["model_id"]]["model"]
        if not str(record["name"]).startswith("x_"):
            raise ValidationError("Custom fields must have a name that starts with 'x_'!")
        if any(f["model"] == record["model"] and f["name"] == record["name"]
               for f in self.tables["ir.model.fields"].values()):
            raise ValidationError(f"Field names must be unique per model.\n"
                                  f"Field: {record['name']}")

    def _check_writable(self, model: str, vals: dict[str, Any]) -> None:
        for name in vals:
            if self.field(model, name).readonly:
                raise InvalidValue(f"Field {name!r} on model {model!r} is computed or changed "
                                   "only by the model's actions; it cannot be written")

    def _check_record(self, model: str, record: dict[str, Any]) -> None:
        """Required fields (Odoo's NOT NULL) and the move's journal type."""
        for name, spec in MODELS[model].items():
            if spec.required and (_is_null(record.get(name)) or record.get(name) == ""):
                if model == "res.partner" and name == "name":  # res.partner's _check_name
                    raise ValidationError(
                        "The operation cannot be completed: Contacts require a name")
                label = name.replace("_", " ").title()
                raise ValidationError(  # Odoo 19's NOT NULL message
                    f"The operation cannot be completed: Missing required value for the field "
                    f"'{label}' ({name}).\nModel: '{model}' ({model})\n"
                    "- create/update: a mandatory field is not set\n"
                    "- delete: another model requires the record being deleted, you can "
                    "archive it instead\n")
        if model == MOVE:
            journal_type = self.tables["account.journal"][record["journal_id"]]["type"]
            if ((record["move_type"] in SALE_TYPES and journal_type != "sale")
                    or (record["move_type"] in PURCHASE_TYPES and journal_type != "purchase")):
                raise ValidationError(
                    "The chosen journal has a type that is not compatible with your invoice "
                    "type. Sales operations should go to 'sale' journals, and purchase "
                    "operations should go to 'purchase' ones.")

    def _check_unreferenced(self, model: str, record_id: int) -> None:
        """Deleting a record another one points to fails, as Odoo's foreign keys make it."""
        for other, fields in MODELS.items():
            for name, spec in fields.items():
                if spec.comodel != model:
                    continue
                for record in self.tables[other].values():
                    if spec.kind == "many2many":  # the relation's rows are dropped
                        record[name] = [i for i in record[name] if i != record_id]
                    elif (spec.kind == "many2one" and record[name] == record_id
                          and spec.ondelete == "set null"):
                        record[name] = False
                    elif spec.kind == "many2one" and record[name] == record_id:
                        raise ValidationError(
                            "The operation cannot be completed: another model requires the "
                            "record being deleted. If possible, archive it instead.\n\n"
                            f"Model: {other}, Field: {name}")

    # ---- search and read

    def search(self, model: str, domain: Any, offset: Any, limit: Any, order: Any,
               context: dict[str, Any]) -> list[int]:
        domain = self._checked_domain(model, domain)
        mentions_active = any(isinstance(t, (list, tuple)) and t[0] == "active" for t in domain)
        if "active" in MODELS[model] and not mentions_active and context.get("active_test", True):
            domain = [["active", "=", True], *domain]  # Odoo hides archived records
        if not _is_id(offset or 0) or not _is_id(limit or 0):
            raise InvalidValue(f"offset and limit must be integers, not {offset!r}, {limit!r}")
        found = [r for r in self.tables[model].values() if self._matches(model, r, domain)]
        found = self._sorted(model, found, order)[offset or 0:]
        return [r["id"] for r in (found[:limit] if limit else found)]

    def _checked_domain(self, model: str, domain: Any) -> list[Any]:
        """The domain, checked before any record is looked at (so an empty table still
        refuses an unknown field, as Odoo's SQL does)."""
        if _is_null(domain):
            return []
        if not isinstance(domain, list):
            raise InvalidValue(f"Invalid domain: {domain!r}")
        operands = 0
        for term in reversed(domain):  # Polish notation: count the operands each operator takes
            if term in ("&", "|", "!"):
                needed = 1 if term == "!" else 2
                if operands < needed:
                    raise InvalidValue(f"Domain is malformed: {domain!r}")
                operands -= needed - 1
                continue
            if not isinstance(term, (list, tuple)) or len(term) != 3:
                raise InvalidValue(f"Invalid domain term {term!r}")
            self.field(model, term[0])
            if term[1] not in OPERATORS:
                raise InvalidValue(f"Invalid operator {term[1]!r} in domain term {term!r}")
            operands += 1
        return domain

    def _matches(self, model: str, record: dict[str, Any], domain: list[Any]) -> bool:
        stack: list[bool] = []
        for term in reversed(domain):
            if term == "!":
                stack.append(not stack.pop())
            elif term in ("&", "|"):
                first, second = stack.pop(), stack.pop()
                stack.append(first and second if term == "&" else first or second)
            else:
                stack.append(self._leaf(model, record, *term))
        return all(stack)  # terms side by side are ANDed

    def _leaf(self, model: str, record: dict[str, Any], name: str, op: str, value: Any) -> bool:
        spec = MODELS[model][name]
        actual = self.value(model, record, name)
        if spec.kind in ("many2many", "one2many"):
            return _match_x2many(actual, op, value)
        if spec.kind == "many2one" and (isinstance(value, str) or "like" in op):
            # Odoo compares a many2one with a text by the related record's name
            related = self.tables[spec.comodel].get(actual)
            actual = self.display_name(spec.comodel, related) if related else False
        elif spec.kind == "decimal":
            value = ([_decimal(v) for v in value] if isinstance(value, (list, tuple))
                     else value if _is_null(value) else _decimal(value))
        return _compare(actual, op, value)

    def _sorted(self, model: str, records: list[dict[str, Any]],
                order: Any) -> list[dict[str, Any]]:
        terms: list[tuple[str, bool]] = []
        for part in str(order or "id").split(","):
            match = ORDER_TERM.match(part)
            if match is None or self.field(model, match[1]).kind in ("many2many", "one2many"):
                raise InvalidValue(
                    f'Invalid "order" specified ({order}). A valid "order" specification is a '
                    "comma-separated list of valid field names (optionally followed by "
                    "asc/desc for the direction)")
            terms.append((match[1], (match[2] or "asc").lower() == "desc"))
        result = list(records)
        for name, descending in reversed(terms):  # stable sorts, last key first
            result.sort(key=self._sort_key(model, name), reverse=descending)
        return result

    def _sort_key(self, model: str, name: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
        is_boolean = MODELS[model][name].kind == "boolean"

        def key(record: dict[str, Any]) -> tuple[bool, Any]:
            value = self.value(model, record, name)
            null = _is_null(value) and not is_boolean  # PostgreSQL: NULLs sort last ascending
            return null, 0 if null else value

        return key

    def read(self, model: str, ids: list[int], fields: Any,
             load: Any = "_classic_read") -> list[dict[str, Any]]:
        if _is_null(fields) or fields == []:
            names = [n for n, spec in MODELS[model].items() if n != "id"
                     and not (spec.custom and not self.custom_exists(model, n))]
        elif isinstance(fields, list):
            for name in fields:
                self.field(model, name)  # an unknown field fails, as in Odoo
            names = [n for n in fields if n != "id"]
        else:
            raise InvalidValue(f"fields must be a list of field names, not {fields!r}")
        table = self.tables[model]
        # Odoo's read() leaves out records deleted in the meantime rather than failing.
        return [{"id": i, **{n: self._export(model, table[i], n, load) for n in names}}
                for i in ids if i in table]

    def _export(self, model: str, record: dict[str, Any], name: str, load: Any) -> Any:
        """A value as Odoo's read() gives it: floats, [id, name] or False, lists of ids."""
        spec, value = MODELS[model][name], self.value(model, record, name)
        if spec.kind == "decimal":
            return float(value)
        if spec.kind == "many2one" and value and load != "_classic_write":
            return [value, self.display_name(spec.comodel, self.tables[spec.comodel][value])]
        return list(value) if isinstance(value, list) else value

    def fields_get(self, model: str, allfields: Any, attributes: Any) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name in allfields or list(MODELS[model]):
            spec = MODELS[model].get(name)
            if spec is None or (spec.custom and not self.custom_exists(model, name)):
                continue  # Odoo ignores unknown names here
            info: dict[str, Any] = {
                "type": {"decimal": "float", "analytic": "json"}.get(spec.kind, spec.kind),
                "string": spec.string or name.replace("_", " ").title(),
                "required": spec.required, "readonly": spec.readonly or spec.view_readonly}
            if spec.comodel:
                info["relation"] = spec.comodel
            if spec.selection:
                info["selection"] = [[value, value] for value in spec.selection]
            if spec.digits:
                info["digits"] = [16, self.digits(spec.digits)]
            result[name] = {k: v for k, v in info.items() if not attributes or k in attributes}
        return result

    def snapshot(self, model: str) -> list[dict[str, Any]]:
        """Every record with every field (computed ones included) as stored: Decimals, ids."""
        return [{name: copy.deepcopy(self.value(model, record, name)) for name in MODELS[model]}
                for record in self.tables[model].values()]

    # ---- accounting

    def _default_journal(self, move_type: Any) -> int | bool:
        wanted = ("sale" if move_type in SALE_TYPES else
                  "purchase" if move_type in PURCHASE_TYPES else "general")
        return next((j["id"] for j in self.tables["account.journal"].values()
                     if j["type"] == wanted), False)

    def _move_of(self, model: str, record: dict[str, Any]) -> dict[str, Any] | None:
        """The move a move or a line belongs to (None for other models)."""
        if model == MOVE:
            return record
        return self.tables[MOVE].get(record["move_id"]) if model == LINE else None

    @staticmethod
    def _check_posted_write(vals: dict[str, Any]) -> None:
        """account.move.write on a posted move: Odoo refuses its readonly fields (those of
        them modelled here) and lets ref, narration, invoice_origin, reversed_entry_id and
        custom (x_) fields through; the rest is refused here (Odoo lets more through)."""
        readonly = [name for name in vals if name in POSTED_READONLY]
        if readonly:
            raise UserError("You cannot modify the following readonly fields on a posted "
                            f"move: {', '.join(readonly)}")
        if any(name not in POSTED_WRITABLE and not name.startswith("x_") for name in vals):
            raise UserError("You cannot modify a posted entry of this journal.")

    @staticmethod
    def _check_draft(move: dict[str, Any] | None) -> None:
        if move is not None and move["state"] != "draft":
            raise UserError("You cannot modify a posted entry of this journal.")

    def _complete_line(self, line: dict[str, Any], given: set[str]) -> None:
        """The product's name and taxes, unless the caller gave them (Odoo's computes)."""
        product = self.tables["product.product"].get(line["product_id"])
        if product is None:
            return
        self._check_language(line["move_id"])
        if "name" not in given:
            line["name"] = product["name"]
        if "product_uom_id" not in given:
            line["product_uom_id"] = product["uom_id"]
        if "account_id" not in given:  # the category's income account, else the journal's
            category = self.tables["product.category"].get(product["categ_id"])
            line["account_id"] = (category or {}).get("property_account_income_categ_id") \
                or GOODS_ACCOUNT
        if "tax_ids" not in given:
            line["tax_ids"] = self._mapped_taxes(product["taxes_id"], line["move_id"])

    def _check_language(self, move_id: int) -> None:
        """A product line's name is computed in the partner's language: an inactive one
        fails (Odoo 19 stores any code on the partner and refuses here)."""
        partner = self.tables["res.partner"].get(self.tables[MOVE][move_id]["partner_id"])
        lang = partner["lang"] if partner else False
        if lang and not any(r["code"] == lang and r["active"]
                            for r in self.tables["res.lang"].values()):
            raise UserError(f"Invalid language code: {lang}")

    def _fiscal_position(self, partner_id: Any) -> int | bool:
        """The fixed rule's position, by name as l10n_ca's: "Ontario (ON)", "Quebec (QC)"..."""
        partner = self.tables["res.partner"].get(partner_id) if partner_id else None
        country = self.tables["res.country"].get(partner["country_id"]) if partner else None
        if country is None:
            return False
        state = self.tables["res.country.state"].get(partner["state_id"]) if partner else None
        name = (f"{state['name']} ({state['code']})" if country["code"] == "CA" and state
                else "International" if country["code"] != "CA" else "Canada")
        for position in self.tables["account.fiscal.position"].values():
            if position["name"] == name:
                return int(position["id"])
        return self.create_one("account.fiscal.position", {"name": name})

    def _due_date(self, move: dict[str, Any]) -> str:
        """Odoo 19's _compute_invoice_date_due over _compute_needed_terms, for the seeded terms
        (one line of 100% each: "N Days" is nb_days N after the reference date, "End of
        Following Month" the end of the next month, "Immediate Payment" the date itself)."""
        term = self.tables["account.payment.term"].get(move["invoice_payment_term_id"])
        lines = [self.tables[LINE][i] for i in self.value(MOVE, move, "invoice_line_ids")]
        if (term is None or move["move_type"] == "entry"
                or not any(line["display_type"] == "product" for line in lines)):
            return str(move["invoice_date_due"])
        ref = dt.date.fromisoformat(move["invoice_date"] or move["date"]
                                    or dt.date.today().isoformat())
        days = re.match(r"(\d+) Days$", term["name"])
        if term["name"] == "End of Following Month":
            following = (ref.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            return ((following + dt.timedelta(days=32)).replace(day=1)
                    - dt.timedelta(days=1)).isoformat()
        return (ref + dt.timedelta(days=int(days[1]) if days else 0)).isoformat()

    def _mapped_taxes(self, tax_ids: list[int], move_id: int) -> list[int]:
        """The fixed fiscal position: Ontario keeps HST, the rest of Canada gets GST,
        abroad is untaxed; a price-included tax is kept for everyone."""
        partner = self.tables["res.partner"].get(self.tables[MOVE][move_id]["partner_id"])
        country = self.tables["res.country"].get(partner["country_id"]) if partner else None
        state = self.tables["res.country.state"].get(partner["state_id"]) if partner else None
        in_canada = country is not None and country["code"] == "CA"
        in_ontario = in_canada and state is not None and state["code"] == "ON"
        if country is None:  # no fiscal position applies: the product's taxes (Odoo 19)
            return list(tax_ids)
        mapped: list[int] = []
        for tax_id in tax_ids:
            if self.tables["account.tax"][tax_id]["price_include"] or in_ontario:
                mapped.append(tax_id)
            elif in_canada:
                mapped.append(GST if tax_id == HST else tax_id)
        return list(dict.fromkeys(mapped))

    def _apply_lines(self, move_id: int, commands: Any) -> None:
        """One2many commands on invoice_line_ids: 0 create, 1 update, 2/3 delete, 5 clear."""
        label = f"{MOVE}.invoice_line_ids"
        if not isinstance(commands, list):
            raise InvalidValue(f"Wrong value for {label}: {commands!r}")
        for command in commands:
            code, line_id, vals = _command(command, label)
            if code in (0, 1) and not isinstance(vals, dict):
                raise InvalidValue(f"Invalid command {command!r} for {label}")
            lines = self.value(MOVE, self.tables[MOVE][move_id], "invoice_line_ids")
            if code == 0:
                self.create_one(LINE, {**vals, "move_id": move_id})
            elif code in (1, 2, 3):
                if line_id not in lines:  # another move's line is not this move's to change
                    raise MissingError("Record does not exist or has been deleted.\n"
                                       f"(Record: {LINE}({line_id},), User: {UID})")
                if code == 1:
                    self.write(LINE, [line_id], vals)
                else:
                    self.unlink(LINE, [line_id])
            elif code == 5:
                self.unlink(LINE, lines)
            else:
                raise InvalidValue(f"Unsupported command {command!r} for {label}")

    def compute(self, model: str, record: dict[str, Any], name: str) -> Any:
        if model == LINE:
            untaxed, tax = self._line_amounts(record)
            return untaxed if name == "price_subtotal" else untaxed + tax
        if name == "payment_state":
            return self._payment_state(record)
        if name == "invoice_date_due":
            return self._due_date(record)
        if name == "amount_residual":
            return self.compute(MOVE, record, "amount_total") - sum(
                (p.amount for p in self.partials if record["id"] in (p.debit, p.credit)), ZERO)
        if name.endswith("_signed"):
            unsigned = self.compute(MOVE, record, name.removesuffix("_signed"))
            return -unsigned if record["move_type"] in NEGATIVE_TYPES else unsigned
        # The company's tax_calculation_rounding_method: "round_globally" (the ca_2023 default)
        # rounds the sums of the lines' unrounded amounts, "round_per_line" sums rounded lines.
        company = next(iter(self.tables["res.company"].values()))
        per_line = company["tax_calculation_rounding_method"] == "round_per_line"
        step = self.tables["res.currency"][record["currency_id"]]["rounding"]
        untaxed = tax = ZERO
        for line_id in self.value(MOVE, record, "invoice_line_ids"):
            line_untaxed, line_tax = self._line_amounts(self.tables[LINE][line_id], per_line)
            untaxed, tax = untaxed + line_untaxed, tax + line_tax
        untaxed, tax = _round(untaxed, step), _round(tax, step)
        return {"amount_untaxed": untaxed, "amount_tax": tax, "amount_total": untaxed + tax}[name]

    def _line_amounts(self, line: dict[str, Any], rounded: bool = True
                      ) -> tuple[Decimal, Decimal]:
        """(untaxed, tax) of one line, each rounded to the currency (a line's subtotal), or
        unrounded (what a move rounding globally sums)."""
        if line["display_type"] != "product":
            return ZERO, ZERO
        move = self.tables[MOVE][line["move_id"]]
        step = self.tables["res.currency"][move["currency_id"]]["rounding"]

        def rounding(value: Decimal) -> Decimal:
            return _round(value, step) if rounded else value

        gross = rounding(line["quantity"] * line["price_unit"])
        taxes = [self.tables["account.tax"][tax_id] for tax_id in line["tax_ids"]]
        included = sum((t["amount"] for t in taxes if t["price_include"]), ZERO)
        untaxed = rounding(gross / (1 + included / 100)) if included else gross
        excluded = sum((rounding(untaxed * t["amount"] / 100)
                        for t in taxes if not t["price_include"]), ZERO)
        return untaxed, gross - untaxed + excluded

    def action_post(self, ids: list[int]) -> None:
        moves = self.existing(MOVE, ids)
        # Chosen before any is posted (Odoo's _post): a credit note posted together with its
        # original is not reconciled with it.
        reversals = [move for move in moves if move["reversed_entry_id"] and self.tables[MOVE][
            move["reversed_entry_id"]]["state"] == "posted"]
        for move in moves:
            if move["state"] != "draft":
                raise UserError(f"The entry {move['name']} (id {move['id']}) must be in draft.")
            lines = [self.tables[LINE][i] for i in self.value(MOVE, move, "invoice_line_ids")]
            if not any(line["display_type"] == "product" for line in lines):
                raise UserError("Even magicians can't post nothing!")
            if move["move_type"] != "entry":
                self._check_invoice(move)
                move["invoice_date"] = move["invoice_date"] or dt.date.today().isoformat()
                move["date"] = move["date"] or move["invoice_date"]
            self._check_lock_date(move)
            if move["name"] in ("/", False):  # a move posted before keeps its number
                move["name"] = self._next_name(move)
            move["state"] = "posted"
        # Odoo pairs the originals (each once, in order) with the credit notes by position
        # (`zip(draft_reverse_moves.reversed_entry_id, draft_reverse_moves)`): two credit notes
        # of one invoice posted together leave the second open, and with another credit note
        # after them, it pairs with the wrong invoice. Reproduced, not fixed.
        originals = list(dict.fromkeys(move["reversed_entry_id"] for move in reversals))
        for original_id, move in zip(originals, reversals, strict=False):
            self._reconcile(self.tables[MOVE][original_id], move)

    def _reconcile(self, original: dict[str, Any], reversal: dict[str, Any]) -> None:
        """Odoo's _reconcile_reversed_moves: the receivables (payables) of a move and of the
        move reversing it, in one currency, reconciled for what is left open on both; a fully
        reconciled one is left out (so a credit note beyond what is due stays open)."""
        kinds = {original["move_type"], reversal["move_type"]}
        if (kinds not in ({"out_invoice", "out_refund"}, {"in_invoice", "in_refund"})
                or original["currency_id"] != reversal["currency_id"]):
            return
        amount = min(self.compute(MOVE, original, "amount_residual"),
                     self.compute(MOVE, reversal, "amount_residual"))
        if amount <= 0:
            return
        debit, credit = ((original, reversal) if original["move_type"] in DEBIT_TYPES
                         else (reversal, original))
        self.partials.append(_Partial(int(debit["id"]), int(credit["id"]), amount))

    def _unreconcile(self, move_id: int) -> None:
        self.partials = [p for p in self.partials if move_id not in (p.debit, p.credit)]

    def _payment_state(self, move: dict[str, Any]) -> str:
        """Odoo's _compute_payment_state, for reconciliations with credit notes (no payments
        here): a posted invoice (or a draft with a total) is paid once nothing is left to pay,
        "reversed" when only credit notes paid it, partial while something is reconciled."""
        total = self.compute(MOVE, move, "amount_total")
        if move["move_type"] == "entry" or not (
                move["state"] == "posted" or (move["state"] == "draft" and total != 0)):
            return "not_paid"
        partials = [p for p in self.partials if move["id"] in (p.debit, p.credit)]
        if self.compute(MOVE, move, "amount_residual") == 0:
            others = {self.tables[MOVE][p.credit if p.debit == move["id"] else p.debit][
                "move_type"] for p in partials if not p.payment}
            payments = [p.payment for p in partials if p.payment]
            if payments:  # Community: paid; the Accounting app: in_payment until matched
                matched = all(self.tables[PAYMENT][i]["is_matched"] for i in payments)
                return "in_payment" if self.in_payment and not matched else "paid"
            reversed_by = {"out_invoice": {"out_refund"}, "in_invoice": {"in_refund"}}
            return ("reversed" if others and others == reversed_by.get(move["move_type"])
                    else "paid")
        return "partial" if partials else "not_paid"

    def _check_lock_date(self, move: dict[str, Any]) -> None:
        """A customer invoice dated inside a lock date is booked today (Odoo moves its
        accounting date itself); refused when today is locked too."""
        company = next(iter(self.tables["res.company"].values()))
        locks = [company[name] for name in ("fiscalyear_lock_date", "sale_lock_date",
                                            "hard_lock_date") if company[name]]
        if not locks or not move["date"] or move["date"] > max(locks):
            return
        today = dt.date.today().isoformat()
        if today <= max(locks):
            raise UserError("You cannot add/modify entries prior to and inclusive of: Sales "
                            f"Lock Date ({max(locks)}).")
        move["date"] = today

    def _check_invoice(self, move: dict[str, Any]) -> None:
        if not move["partner_id"]:  # Odoo 19's account.move._post words
            raise UserError(
                "The 'Customer' field is required to validate the invoice.\nYou probably don't "
                "want to explain to your auditor that you invoiced an invisible man :)"
                if move["move_type"] in SALE_TYPES else
                "The field 'Vendor' is required, please complete it to validate the Vendor Bill.")
        if self.compute(MOVE, move, "amount_total") < 0:
            raise UserError("You cannot validate an invoice with a negative total amount. "
                            "You should create a credit note instead. Use the action menu to "
                            "transform it into a credit note or refund.")

    def _next_name(self, move: dict[str, Any]) -> str:
        """JOURNAL/YEAR/00001, one gapless sequence per journal prefix and year."""
        code = self.tables["account.journal"][move["journal_id"]]["code"]
        prefix = f"R{code}" if move["move_type"] in ("out_refund", "in_refund") else code
        year = (move["invoice_date"] or dt.date.today().isoformat())[:4]
        key = f"{prefix}/{year}"
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return f"{key}/{self.sequences[key]:05d}"

    # ---- payments (account.payment.register)

    def create_register(self, vals_list: Any, context: dict[str, Any]) -> int | list[int]:
        """The wizard, as its default_get fills it from the context: the moves to pay must
        still have something to pay (Odoo 19's words when none has)."""
        if context.get("active_model") != MOVE:  # account.move.line: not modelled here
            raise UserError("The register payment wizard should only be called on "
                            "account.move or account.move.line records.")
        moves = self.existing(MOVE, _ids(context.get("active_ids")))
        if not any(move["move_type"] != "entry"
                   and self.compute(MOVE, move, "amount_residual") != 0 for move in moves):
            raise UserError("There's nothing left to pay for the selected journal items, so no "
                            "payment registration is necessary. You've got your finances under "
                            "control like a boss!")
        created = self.create(REGISTER, vals_list)
        for wizard_id in created if isinstance(created, list) else [created]:
            self.wizard_moves[wizard_id] = [move["id"] for move in moves]
        return created

    def action_create_payments(self, ids: list[int]) -> dict[str, Any]:
        """One payment per wizard (its amount, else what is left to pay), reconciled with its
        move for what is left to pay on it (an overpayment stays open on the payment)."""
        payment_id = 0
        for wizard in self.existing(REGISTER, ids):
            for move in self.existing(MOVE, self.wizard_moves.get(wizard["id"], [])):
                if move["state"] == "cancel":
                    raise UserError("You can not reconcile cancelled entries.")
                residual = self.compute(MOVE, move, "amount_residual")
                amount = wizard["amount"] or residual
                debit = move["move_type"] in DEBIT_TYPES
                payment_id = self.create_one(PAYMENT, {
                    "name": f"P{self.next_id[PAYMENT]:05d}", "amount": amount,
                    "partner_id": move["partner_id"],
                    "payment_type": "inbound" if debit else "outbound",
                    "memo": wizard["communication"] or move["name"]})
                self.tables[PAYMENT][payment_id]["state"] = "in_process"
                reconciled = min(amount, residual)
                self.partials.append(_Partial(move["id"] if debit else 0,
                                              0 if debit else move["id"], reconciled,
                                              payment_id))
        return {"name": "Payments", "type": "ir.actions.act_window",
                "res_model": PAYMENT, "context": {"create": False}, "view_mode": "form",
                "res_id": payment_id}

    def match_payments(self, move_id: int) -> None:
        """The bank statement matched the payments of the move (the Accounting app's
        reconciliation): in_payment becomes paid."""
        for partial in self.partials:
            if partial.payment and move_id in (partial.debit, partial.credit):
                self.tables[PAYMENT][partial.payment]["is_matched"] = True
                self.tables[PAYMENT][partial.payment]["state"] = "paid"

    def button_cancel(self, ids: list[int]) -> None:
        for move in self.existing(MOVE, ids):
            if move["state"] == "posted":  # Odoo 17+: posted goes through draft to cancel
                move["state"] = "draft"
            if move["state"] != "draft":
                raise UserError("Only draft journal entries can be cancelled.")
            move["state"] = "cancel"
            self._unreconcile(move["id"])  # reset to draft keeps the reconciliation

    def button_draft(self, ids: list[int]) -> None:
        for move in self.existing(MOVE, ids):
            if move["state"] not in ("posted", "cancel"):
                raise UserError("Only posted/cancelled journal entries can be reset to draft.")
            move["state"] = "draft"


@dataclass(frozen=True)
class _Partial:
    """A reconciliation: the debit move's receivable (an invoice) with the credit move's (a
    credit note), for `amount`."""

    debit: int
    credit: int
    amount: Decimal
    payment: int = 0  # a payment's id (account.payment): no move on that side (0)


def _move_display_name(move: dict[str, Any]) -> str:
    """Odoo 19's account.move display name (_get_move_display_name with show_ref)."""
    name = DRAFT_LABELS[move["move_type"]] if move["state"] == "draft" else ""
    if move["name"] and move["name"] != "/":
        name = f"{name} {move['name']}".strip()
    ref = textwrap.shorten(move["ref"], width=50) if move["ref"] else ""
    return name + (f" ({ref})" if ref else "")


def _equal(actual: Any, value: Any) -> bool:
    if _is_null(value):  # "= False" is SQL's IS NULL (and false for a boolean)
        return _is_null(actual)
    return bool(actual == value) and not _is_null(actual)


def _compare(actual: Any, op: str, value: Any) -> bool:
    if op in ("=", "!="):
        return _equal(actual, value) == (op == "=")
    if op in ("in", "not in"):
        if not isinstance(value, (list, tuple)):
            raise InvalidValue(f"The value of operator {op!r} must be a list, not {value!r}")
        return any(_equal(actual, v) for v in value) == (op == "in")
    if "like" in op:
        return _like(actual, op, value)
    if _is_null(actual) or _is_null(value):  # SQL: a comparison with NULL is never true
        return False
    try:
        return COMPARISONS[op](actual, value)
    except TypeError:
        raise InvalidValue(f"Cannot compare {actual!r} {op} {value!r}") from None


def _like(actual: Any, op: str, value: Any) -> bool:
    negative = op.startswith("not ")
    if _is_null(actual):  # Odoo's "not ilike" includes records without a value
        return negative
    pattern = str(value) if op.startswith("=") else f"%{value}%"
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if "ilike" in op else 0)
    return (re.fullmatch(regex, str(actual), flags) is not None) != negative


def _match_x2many(ids: list[int], op: str, value: Any) -> bool:
    if op not in ("=", "!=", "in", "not in"):
        raise InvalidValue(f"Operator {op!r} is not supported on x2many fields here")
    wanted = list(value) if isinstance(value, (list, tuple)) else [value]
    found = not ids if wanted in ([], [False]) else any(i in ids for i in wanted)
    return found == (op in ("=", "in"))


# ----------------------------------------------------------------------------------- faults

FAULT_KINDS = ("http_500", "drop_before", "drop_after", "slow", "late", "reject", "callback")


READ_ONLY_METHODS = frozenset({"search", "search_read", "search_count", "read", "fields_get",
                               "context_get"})


@dataclass(frozen=True)
class Call:
    """One object call the server received, and how it ended."""

    transport: str  # "jsonrpc" or "json2"
    model: str
    method: str
    ok: bool  # applied and committed
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    fault: str | None = None  # the kind of the fault that hit it
    error: str | None = None  # the Odoo error name when not ok


@dataclass
class Fault:
    """What goes wrong, and for which calls: model/method None match any, `skip` matching
    calls pass first, then `times` calls are hit; `predicate(params)` narrows the match. params
    are the call's named parameters as the client sent them (`vals_list` may be one dict),
    with "ids" for a record method. Faults acting after the call (drop_after, slow, callback)
    act on an error answer too."""

    kind: str
    model: str | None = None
    method: str | None = None
    times: int = 1
    skip: int = 0
    seconds: float = 1.0
    predicate: Callable[[dict[str, Any]], bool] | None = None
    callback: Callable[[Call], None] | None = None
    skipped: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, "
                             f"not {self.kind!r}")
        if self.kind == "callback" and self.callback is None:
            raise ValueError("a callback fault needs a callback")

    def matches(self, model: str, method: str, params: dict[str, Any]) -> bool:
        return ((self.model is None or self.model == model)
                and (self.method is None or self.method == method)
                and (self.predicate is None or bool(self.predicate(params))))


# ------------------------------------------------------------------------------------ HTTP

ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
              b"<body><h1>Internal Server Error</h1><p>The server encountered an internal "
              b"error and was unable to complete your request.</p></body></html>\n")
NOT_FOUND_PAGE = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>"
                  b"<h1>Not Found</h1><p>The requested URL was not found on the server.</p>"
                  b"</body></html>\n")


def _json_default(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else str(value)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a slow call's thread

    def __init__(self, app: OdooTestServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (a crash test killed it) is expected; anything else is a
        # bug the test should see.
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError):
            self.app.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    timeout = 30  # a client that connects and sends nothing does not hold a thread for ever
    rpc_id: Any = None

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/web/version":
            self._send_json(200, WEB_VERSION)
        else:
            self._send(404, NOT_FOUND_PAGE, "text/html; charset=utf-8")

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path == "/web/version":
            self._send_json(200, WEB_VERSION)
        elif path in ("/jsonrpc", "/web/webclient/version_info"):
            self._jsonrpc(path, raw)
        elif path.startswith("/json/2/") and path.count("/") == 4:
            model, method = path.split("/")[3:]
            self._object_call("json2", model, method,
                              lambda: self.server.app.bind_json2(self.headers, model, method, raw))
        else:
            self._send(404, NOT_FOUND_PAGE, "text/html; charset=utf-8")

    def _jsonrpc(self, path: str, raw: bytes) -> None:
        try:
            request = json.loads(raw)
            params = request["params"]
            self.rpc_id = request.get("id")
            if not isinstance(params, dict):
                raise TypeError("params must be an object")
        except (ValueError, KeyError, TypeError):
            self._send(400, b"<h1>Bad Request</h1>", "text/html; charset=utf-8")
            return
        if path == "/web/webclient/version_info":
            self._answer("jsonrpc", RPC_VERSION, None)
            return
        service, method = params.get("service"), params.get("method")
        args = params.get("args") or []
        if service == "object" and method in ("execute", "execute_kw") and len(args) >= 5:
            db, uid, password, model, name, *rest = args
            positional, kwargs = ((rest[0] if rest else [], rest[1] if len(rest) > 1 else {})
                                  if method == "execute_kw" else (rest, {}))
            self._object_call("jsonrpc", str(model), str(name), lambda: self.server.app.bind_rpc(
                db, uid, password, str(model), str(name), positional, kwargs))
            return
        try:
            result = self.server.app.common(service, method, args)
        except OdooError as exc:
            self._answer("jsonrpc", None, exc)
            return
        self._answer("jsonrpc", result, None)

    def _object_call(self, transport: str, model: str, method: str,
                     bind: Callable[[], _Bound]) -> None:
        """Authenticate, bind, apply the faults around the call, answer."""
        app = self.server.app
        params: dict[str, Any] = {}
        fault: Fault | None = None
        result: Any = None
        error: BaseException | None = None
        try:
            call = bind()
            params = call.params
            fault = app.take_fault(model, method, params)
            if fault is not None and fault.kind in ("http_500", "drop_before"):
                app.record(Call(transport, model, method, False, params, fault.kind))
                if fault.kind == "http_500":
                    self._send(500, ERROR_PAGE, "text/html; charset=utf-8")
                else:
                    self._drop()
                return
            if fault is not None and fault.kind == "reject":
                raise ValidationError("Rejected by test fault")
            if fault is not None and fault.kind == "late":
                # Odoo still working on it after the client gave up: applied only later.
                app.wait(fault.seconds)
            result = app.apply(model, method, call)
            if transport == "json2" and method == "create" and _is_id(result):
                result = [result]  # JSON-2 answers the recordset's ids, even for one dict
        except Exception as exc:
            error = exc
            if not isinstance(exc, OdooError):
                app.errors.append(exc)
        info = Call(transport, model, method, error is None, params,
                    fault.kind if fault else None,
                    _error_info(error, transport)[1]["name"] if error else None)
        app.record(info)
        if fault is not None and not self._after_call(fault, info):
            return
        self._answer(transport, result, error)

    def _after_call(self, fault: Fault, call: Call) -> bool:
        """The faults that act once the call is done; False when no answer must be sent."""
        if fault.kind == "drop_after":
            self._drop()
            return False
        if fault.kind == "slow":
            self.server.app.wait(fault.seconds)
        elif fault.kind == "callback" and fault.callback is not None:
            try:
                fault.callback(call)
            except Exception as exc:  # the test's own bug: report it, keep serving
                self.server.app.errors.append(exc)
        return True

    def _answer(self, transport: str, result: Any, error: BaseException | None) -> None:
        if error is None:
            self._send_json(200, result if transport == "json2" else
                            {"jsonrpc": "2.0", "id": self.rpc_id, "result": result})
            return
        status, info = _error_info(error, transport)
        if transport == "json2" and isinstance(error, NoDatabase):
            self._send(404, NOT_FOUND_PAGE, "text/html; charset=utf-8")
        elif transport == "json2":
            self._send_json(status, info)
        else:  # Odoo's JSON-RPC reports every error with HTTP 200
            self._send_json(200, {"jsonrpc": "2.0", "id": self.rpc_id, "error": {
                "code": 200, "message": "Odoo Server Error", "data": info}})

    def _send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, default=_json_default)
        self._send(status, body.encode("utf-8"), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client is gone (a crash test killed it): nobody to answer

    def _drop(self) -> None:
        """Hang up without a word: the client sees the connection closed, no status."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


# ----------------------------------------------------------------------------------- server

class OdooTestServer:
    """The server: `start()`, then point odoorpc or a JSON-2 client at `url`; `stop()`.

    `inject(Fault(...))` makes calls fail; `calls` lists the object calls received;
    `records(model)` gives the stored records; `execute(...)` calls a method without the wire
    (for a test's setup); `errors` collects exceptions that are not Odoo errors (bugs here or
    in a test's predicate or callback), which a test may assert empty."""

    def __init__(self, db: str = "fusion", login: str = "admin", password: str = "admin",
                 api_key: str = "test-api-key", price_digits: int = 2,
                 quantity_digits: int = 2, in_payment: bool = False) -> None:
        self.db, self.login, self.password, self.api_key = db, login, password, api_key
        self.calls: list[Call] = []
        self.errors: list[BaseException] = []
        self._database = _Database(login, price_digits, quantity_digits, in_payment)
        self._lock = threading.Lock()  # one call at a time, like one transaction at a time
        self._calls_lock = threading.Lock()
        self._faults: list[Fault] = []
        self._faults_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    # ---- life cycle

    def start(self) -> OdooTestServer:
        self._httpd = _HttpServer(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name=f"odoo-test-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; slow calls still pending wake up at once."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OdooTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- for tests

    def inject(self, fault: Fault) -> Fault:
        with self._faults_lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._faults_lock:
            self._faults.clear()

    def match_payments(self, move_id: int) -> None:
        """With `in_payment=True`: a bank statement matched the move's payments."""
        with self._lock:
            self._database.match_payments(move_id)

    def records(self, model: str) -> list[dict[str, Any]]:
        """A deep copy of the model's records, each field as stored (Decimal amounts,
        many2one as an id or False), computed fields included."""
        if model not in MODELS:
            raise KeyError(model)
        with self._lock:
            return self._database.snapshot(model)

    def execute(self, model: str, method: str, ids: list[int] | None = None,
                **params: Any) -> Any:
        """Call a method as JSON-2 would, without the wire or faults (for a test's setup)."""
        body = params if ids is None else {"ids": ids, **params}
        return self.apply(model, method, _bind_named(model, method, body))

    # ---- used by the handler

    def record(self, call: Call) -> None:
        with self._calls_lock:
            self.calls.append(call)

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def take_fault(self, model: str, method: str, params: dict[str, Any]) -> Fault | None:
        """The fault hitting this call, if any (its counters move)."""
        with self._faults_lock:
            for fault in self._faults:
                if fault.fired >= fault.times or not fault.matches(model, method, params):
                    continue
                if fault.skipped < fault.skip:
                    fault.skipped += 1
                    continue
                fault.fired += 1
                return fault
        return None

    def apply(self, model: str, method: str, call: _Bound) -> Any:
        """Run the call as one transaction: on any error nothing of it remains."""
        with self._lock:
            if method in READ_ONLY_METHODS:  # nothing to roll back: spare the copy
                return self._database.execute(model, method, call, UID)
            snapshot = copy.deepcopy(self._database)
            try:
                result = self._database.execute(model, method, call, UID)
                if call.fail_after is not None:
                    raise call.fail_after
                return result
            except BaseException:
                # Ids are PostgreSQL sequences: a rolled-back call does not give them back.
                snapshot.next_id = self._database.next_id
                self._database = snapshot
                raise

    def common(self, service: Any, method: Any, args: list[Any]) -> Any:
        """JSON-RPC's `common` service: version, login, authenticate."""
        if service == "common" and method == "version":
            return RPC_VERSION
        if service == "common" and method in ("login", "authenticate") and len(args) >= 3:
            db, login, password = args[:3]
            return UID if (db == self.db and login == self.login
                           and password in (self.password, self.api_key)) else False
        raise BadArguments(f"Unsupported JSON-RPC call: {service}.{method}")

    def bind_rpc(self, db: Any, uid: Any, password: Any, model: str, method: str,
                 args: Any, kwargs: Any) -> _Bound:
        # Odoo takes an API key in place of the password.
        if db != self.db or uid != UID or password not in (self.password, self.api_key):
            raise AccessDenied("Access Denied")
        return _bind_positional(model, method, args, kwargs)

    def bind_json2(self, headers: Any, model: str, method: str, raw: bytes) -> _Bound:
        # Odoo picks the database first (one its dbfilter rejects: no route, a 404 page),
        # then checks the bearer key.
        database = headers.get("X-Odoo-Database")
        if database is not None and database != self.db:
            raise NoDatabase(f"No database {database!r} is selected")
        scheme, _, key = str(headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            raise AccessDenied("User not authenticated, use an API Key with a Bearer "
                               "Authorization header.")
        if key.strip() != self.api_key:
            raise AccessDenied("Invalid apikey")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise BadRequest("The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object of named arguments")
        return _bind_named(model, method, body)
