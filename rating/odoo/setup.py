"""What posting needs in Odoo, checked, and created on request (`fusion-rating odoo setup`).

A plan is a list of steps, each a thing posting relies on and what Odoo holds of it: `ok`,
`create` or `change` (setup does it with `--apply`), or `missing` (setup cannot do it: an
accountant's decision, such as the income account of the chart). Planning only reads, so a plan
is safe to run against production at any time, and posting plans the same needs at the start
of each run and refuses, naming the steps, when one is not `ok` (see `required`).

The needs come from the catalog: the metrics' units (`uom.uom`), per service a product
category with its income account, the journal and the payment term, and the custom field
`x_fc_billing_key` on `account.move` (the invoice's key, where the customer does not see it).
Optional (posting goes on without them, and says so here): the settings Analytic Accounting
(an analytic account per service, under the plan "Services") and Units of Measure (the unit
printed on the invoice), the "Product Price" precision (more lines carry their real quantity)
and languages (French for Quebec). Setup needs an Odoo administrator: the custom field, units,
settings, languages and precision are administrator rights.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from rating.catalog import ServiceAccounting
from rating.odoo.gateway import Gateway, OdooError
from rating.odoo.needs import UNITS, Needs, price_digits_for

KEY_FIELD = "x_fc_billing_key"
NOT_SET_UP = "fusion_rating.NotSetUp"  # the error of a need posting finds missing
ANALYTIC_PLAN = "Services"
PRICE_PRECISION = "Product Price"
QUANTITY_PRECISION = "Product Unit"  # Odoo 19's name ("Product Unit of Measure" before)
ALL_RECORDS = {"active_test": False}

# What the catalog asks of Odoo (rating.odoo.needs), named here too for the callers of setup.
__all__ = ["KEY_FIELD", "NOT_SET_UP", "UNITS", "Needs", "Step", "apply", "blocking", "plan",
           "price_digits_for"]

Status = Literal["ok", "create", "change", "missing"]


@dataclass(frozen=True)
class Step:
    """One thing posting needs. `values` is what `--apply` writes (create or change)."""

    kind: str
    name: str
    status: Status
    detail: str = ""
    required: bool = True
    model: str = ""
    record_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict, compare=False)
    then: str = ""  # a method to call on the created record (a settings or a wizard record)

    def describe(self) -> str:
        verb = {"ok": "ok", "create": "would create", "change": "would change",
                "missing": "MISSING"}[self.status]
        detail = f" ({self.detail})" if self.detail else ""
        return f"{verb:>12}  {self.kind}: {self.name}{detail}"


def plan(odoo: Gateway, needs: Needs) -> list[Step]:
    """Every step, in the order `apply` takes them (a category's account before the
    category). Only reads."""
    steps = [_key_field(odoo)]
    steps += _settings(odoo)
    steps += _units(odoo, needs.units)
    accounts = _income_accounts(odoo, {b.income_account for b in needs.bookings})
    steps += accounts.values()
    steps += _categories(odoo, needs.bookings, accounts)
    steps += _analytic_accounts(odoo, {b.analytic_account or "" for b in needs.bookings} - {""})
    steps += _existing(odoo, "journal", "account.journal", "code",
                       {b.journal for b in needs.bookings if b.journal}, [["type", "=", "sale"]])
    steps += _existing(odoo, "payment term", "account.payment.term", "name",
                       {b.payment_term for b in needs.bookings if b.payment_term})
    steps += _languages(odoo, needs.languages)
    if needs.price_digits is not None:
        steps.append(_precision(odoo, PRICE_PRECISION, needs.price_digits, "prices"))
    if needs.quantity_digits is not None:
        steps.append(_precision(odoo, QUANTITY_PRECISION, needs.quantity_digits,
                                "quantities (for every product in Odoo, stock included)"))
    return steps


def apply(odoo: Gateway, needs: Needs) -> tuple[list[Step], list[Step]]:
    """Do each `create` and `change` of the plan, settings first (they let the rest be read,
    e.g. analytic plans); returns (the steps done, the plan as it stands after)."""
    done = _apply(odoo, [s for s in plan(odoo, needs) if s.kind == "setting"])
    done += _apply(odoo, [s for s in plan(odoo, needs) if s.kind != "setting"])
    return [s for s in done if s.detail in ("created", "changed")], plan(odoo, needs)


def _apply(odoo: Gateway, steps: list[Step]) -> list[Step]:
    done: list[Step] = []
    created: dict[tuple[str, str], int] = {}
    for step in steps:
        values = {k: _resolved(v, created) for k, v in step.values.items()}
        if not step.model:  # planned before what it depends on (a setting) was on
            done.append(step)
        elif step.status == "create" or (step.status == "change" and step.then):
            [new_id] = odoo.call(step.model, "create", vals_list=[values])
            if step.then:
                odoo.call(step.model, step.then, [int(new_id)])
            created[(step.kind, step.name)] = int(new_id)
            done.append(Step(step.kind, step.name, "ok", "created", step.required, step.model,
                             int(new_id)))
        elif step.status == "change" and step.record_id is not None:
            odoo.call(step.model, "write", [step.record_id], vals=values)
            done.append(Step(step.kind, step.name, "ok", "changed", step.required, step.model,
                             step.record_id))
        else:
            done.append(step)
    return done


@dataclass(frozen=True)
class _Ref:
    """The id of a record an earlier step of the same apply creates."""

    kind: str
    name: str


def _resolved(value: Any, created: dict[tuple[str, str], int]) -> Any:
    return created[(value.kind, value.name)] if isinstance(value, _Ref) else value


def _key_field(odoo: Gateway) -> Step:
    found = odoo.call("ir.model.fields", "search_read",
                      domain=[["model", "=", "account.move"], ["name", "=", KEY_FIELD]],
                      fields=["id", "ttype", "index"])
    if found:
        return Step("custom field", f"account.move.{KEY_FIELD}", "ok", model="ir.model.fields",
                    record_id=int(found[0]["id"]))
    model = odoo.call("ir.model", "search_read", domain=[["model", "=", "account.move"]],
                      fields=["id"], limit=1)
    if not model:
        return Step("custom field", f"account.move.{KEY_FIELD}", "missing",
                    "the Invoicing app (account) is not installed")
    return Step("custom field", f"account.move.{KEY_FIELD}", "create",
                "the invoice's fusion-rating key, searchable and indexed, not shown to "
                "customers", model="ir.model.fields", values={
                    "model_id": int(model[0]["id"]), "name": KEY_FIELD, "ttype": "char",
                    "field_description": "Billing key (fusion-rating)", "index": True,
                    "copied": False, "store": True,
                    "help": "The key fusion-rating posts this invoice under: "
                            "<customer>/<service>/<period>. Never edit it."})


SETTINGS = (("group_analytic_accounting", "Analytic Accounting",
             "an analytic account per service on every invoice line"),
            ("group_uom", "Units of Measure", "the unit printed beside each quantity"))


def _settings(odoo: Gateway) -> list[Step]:
    """Odoo's settings that posting uses when they are on (res.config.settings)."""
    known = odoo.call("res.config.settings", "fields_get",
                      allfields=[name for name, _, _ in SETTINGS], attributes=["type"])
    current = odoo.call("res.config.settings", "default_get",
                        fields=[name for name, _, _ in SETTINGS if name in known])
    steps = []
    for name, label, why in SETTINGS:
        if name not in known:
            continue
        if current.get(name):
            steps.append(Step("setting", label, "ok", required=False))
        else:
            steps.append(Step("setting", label, "change", f"turn it on: {why}", required=False,
                              model="res.config.settings", values={name: True},
                              then="execute"))
    return steps


def _units(odoo: Gateway, units: Iterable[str]) -> list[Step]:
    names = sorted(set(units))
    if not names:
        return []
    rows = odoo.call("uom.uom", "search_read", domain=[["name", "in", names]],
                     fields=["id", "name", "active"], context=ALL_RECORDS)
    by_name = {row["name"]: row for row in rows}
    steps = []
    for name in names:
        row = by_name.get(name)
        if row is None:
            steps.append(Step("unit of measure", name, "create", model="uom.uom",
                              values={"name": name, "relative_factor": 1}))
        elif not row["active"]:
            steps.append(Step("unit of measure", name, "change", "archived: unarchive",
                              model="uom.uom", record_id=int(row["id"]),
                              values={"active": True}))
        else:
            steps.append(Step("unit of measure", name, "ok", model="uom.uom",
                              record_id=int(row["id"])))
    return steps


def _income_accounts(odoo: Gateway, codes: set[str]) -> dict[str, Step]:
    if not codes:
        return {}
    rows = odoo.call("account.account", "search_read", domain=[["code", "in", sorted(codes)]],
                     fields=["id", "code", "name", "account_type"])
    by_code: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_code.setdefault(row["code"], []).append(row)
    steps = {}
    for code in sorted(codes):
        found = by_code.get(code, [])
        if len(found) == 1 and str(found[0]["account_type"]).startswith("income"):
            steps[code] = Step("income account", code, "ok", found[0]["name"],
                               model="account.account", record_id=int(found[0]["id"]))
        elif len(found) == 1:
            steps[code] = Step("income account", code, "missing",
                               f"{found[0]['name']} is a {found[0]['account_type']} account, "
                               "not income: set odoo.income_account in services.yaml")
        else:
            steps[code] = Step("income account", code, "missing",
                               "not in Odoo's chart of accounts" if not found else
                               "several accounts carry this code: an accountant creates or "
                               "picks it, then set odoo.income_account in services.yaml")
    return steps


def _categories(odoo: Gateway, bookings: Iterable[ServiceAccounting],
                accounts: dict[str, Step]) -> list[Step]:
    wanted = {b.product_category: b.income_account for b in bookings if b.product_category}
    if not wanted:
        return []
    rows = odoo.call("product.category", "search_read",
                     domain=[["name", "in", sorted(wanted)]],
                     fields=["id", "name", "property_account_income_categ_id"])
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append(row)
    steps = []
    for name, code in sorted(wanted.items()):
        account = accounts[code]
        found = by_name.get(name, [])
        if len(found) > 1:
            steps.append(Step("product category", name, "missing",
                              f"categories {', '.join(str(r['id']) for r in found)} carry this "
                              "name: rename one"))
        elif account.record_id is None:
            steps.append(Step("product category", name, "missing",
                              f"its income account {code} is missing"))
        elif not found:
            steps.append(Step("product category", name, "create", f"income account {code}",
                              model="product.category", values={
                                  "name": name,
                                  "property_account_income_categ_id": account.record_id}))
        else:
            # Never changed: other products of that category would be booked elsewhere too.
            current = found[0]["property_account_income_categ_id"]
            current_id = current[0] if isinstance(current, list) else current
            if current_id == account.record_id:
                steps.append(Step("product category", name, "ok", f"income account {code}",
                                  model="product.category", record_id=int(found[0]["id"])))
            else:
                steps.append(Step("product category", name, "missing",
                                  f"it exists with another income account "
                                  f"({current[1] if isinstance(current, list) else 'none'}): "
                                  f"set odoo.product_category to another name in services.yaml, "
                                  f"or give it account {code} in Odoo"))
    return steps


def _analytic_accounts(odoo: Gateway, names: set[str]) -> list[Step]:
    if not names:
        return []
    steps: list[Step] = []
    try:
        plans = odoo.call("account.analytic.plan", "search_read",
                          domain=[["name", "=", ANALYTIC_PLAN]], fields=["id"], limit=1)
    except OdooError as exc:
        if not exc.name.endswith("AccessError"):
            raise
        # The Analytic Accounting setting is off: its step turns it on, then these can be
        # planned.
        return [Step("analytic account", name, "create", "once the setting Analytic "
                     "Accounting is on", required=False) for name in sorted(names)]
    plan_id: Any
    if plans:
        plan_id = int(plans[0]["id"])
        steps.append(Step("analytic plan", ANALYTIC_PLAN, "ok", required=False,
                          model="account.analytic.plan", record_id=plan_id))
    else:
        plan_id = _Ref("analytic plan", ANALYTIC_PLAN)
        steps.append(Step("analytic plan", ANALYTIC_PLAN, "create",
                          "one analytic account per service", required=False,
                          model="account.analytic.plan", values={"name": ANALYTIC_PLAN}))
    # Ours are in our plan: an account of the same name in another plan is someone else's.
    rows = [] if isinstance(plan_id, _Ref) else odoo.call(
        "account.analytic.account", "search_read",
        domain=[["name", "in", sorted(names)], ["plan_id", "=", plan_id]], fields=["id", "name"])
    by_name: dict[str, list[int]] = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append(int(row["id"]))
    for name in sorted(names):
        ids = by_name.get(name, [])
        if len(ids) == 1:
            steps.append(Step("analytic account", name, "ok", required=False,
                              model="account.analytic.account", record_id=ids[0]))
        elif ids:
            steps.append(Step("analytic account", name, "missing",
                              f"accounts {', '.join(map(str, ids))} carry this name: rename one",
                              required=False))
        else:
            steps.append(Step("analytic account", name, "create", f"plan {ANALYTIC_PLAN}",
                              required=False, model="account.analytic.account",
                              values={"name": name, "plan_id": plan_id}))
    return steps


def _existing(odoo: Gateway, kind: str, model: str, key: str, values: set[str],
              domain: list[Any] | None = None) -> list[Step]:
    """Records setup never creates (an accountant's choice): found exactly once, or missing."""
    if not values:
        return []
    rows = odoo.call(model, "search_read", domain=[[key, "in", sorted(values)], *(domain or [])],
                     fields=["id", key])
    by_value: dict[str, list[int]] = {}
    for row in rows:
        by_value.setdefault(row[key], []).append(int(row["id"]))
    steps = []
    for value in sorted(values):
        ids = by_value.get(value, [])
        if len(ids) == 1:
            steps.append(Step(kind, value, "ok", model=model, record_id=ids[0]))
        else:
            steps.append(Step(kind, value, "missing",
                              "not in Odoo: create it there or change services.yaml"
                              if not ids else f"{len(ids)} records carry it: keep one"))
    return steps


def _languages(odoo: Gateway, codes: set[str] | frozenset[str]) -> list[Step]:
    if not codes:
        return []
    rows = odoo.call("res.lang", "search_read", domain=[["code", "in", sorted(codes)]],
                     fields=["id", "code", "active"], context=ALL_RECORDS)
    by_code = {row["code"]: row for row in rows}
    steps = []
    for code in sorted(codes):
        row = by_code.get(code)
        if row is None:
            steps.append(Step("language", code, "missing", "Odoo does not know this language",
                              required=False))
        elif row["active"]:
            steps.append(Step("language", code, "ok", required=False, model="res.lang",
                              record_id=int(row["id"])))
        else:
            steps.append(Step("language", code, "change",
                              "install it: customers in Quebec get their invoices in French",
                              required=False, model="base.language.install",
                              values={"lang_ids": [[6, 0, [int(row["id"])]]]},
                              then="lang_install"))
    return steps


def _precision(odoo: Gateway, name: str, digits: int, what: str) -> Step:
    """Raised, never lowered: fewer digits would round what Odoo already holds."""
    rows = odoo.call("decimal.precision", "search_read",
                     domain=[["name", "=", name]], fields=["id", "digits"], limit=1)
    if not rows:
        return Step("precision", name, "missing", required=False)
    current = int(rows[0]["digits"])
    if current >= digits:
        return Step("precision", name, "ok", f"{current} digits", required=False,
                    model="decimal.precision", record_id=int(rows[0]["id"]))
    return Step("precision", name, "change",
                f"{current} to {digits} digits for {what}, so that more lines carry their real "
                f"quantity; every price in Odoo then shows {digits} decimals (Settings > "
                "Technical > Decimal Accuracy); to leave it, pass --price-digits or "
                f"--quantity-digits {current}",
                required=False, model="decimal.precision", record_id=int(rows[0]["id"]),
                values={"digits": digits})


def blocking(steps: list[Step]) -> list[Step]:
    """The steps that keep posting from starting: required and not ok."""
    return [s for s in steps if s.required and s.status != "ok"]
