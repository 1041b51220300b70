"""Price many cases in ONE DuckDB run through the real pricing SQL (rate/insert_rated_charges).

Each case gets its own plan, charge, price and subscription in an in-memory warehouse: one
service, one summed metric, one usage rollup per case (none when the quantity is zero and
`rollup_for_zero` is false). The rated lines are read back per case, ready to compare with
`rating.rate.oracle`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rating import warehouse
from rating.catalog import Catalog, Charge, Metric, Plan, Price, Service
from rating.periods import BillingPeriod, billing_period
from rating.rate import catalog_tables, engine
from rating.rate.oracle import TierAmount

if importlib.util.find_spec("pandas") is None:
    # DuckDB tries to import pandas for every parameter it binds, and a failed import is not
    # remembered: each one scans sys.path again. Record the absence once (4x faster here).
    # pyarrow must look for pandas first, while the import still fails cleanly: it remembers
    # the answer, whereas a None in sys.modules breaks its own lazy check later.
    import pyarrow

    pyarrow.array([0])
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]

PERIOD: BillingPeriod = billing_period("2026-10")
PERIOD_US: int = PERIOD.seconds * 1_000_000
SERVICE = "svc"
METRIC = "units"
EFFECTIVE_FROM = dt.date(2025, 1, 1)

# Columns as in sql/rate/create_period_subscriptions.sql, which reads ref_* tables instead.
_CREATE_PERIOD_SUBSCRIPTIONS = """
CREATE OR REPLACE TEMP TABLE period_subscriptions (
    subscription_id VARCHAR, service VARCHAR, account_id VARCHAR, plan_code VARCHAR,
    customer_key VARCHAR, active_from TIMESTAMP, active_to TIMESTAMP, active_us BIGINT)
"""
_INSERT_PERIOD_SUBSCRIPTIONS = "INSERT INTO period_subscriptions VALUES "
_SUBSCRIPTION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_ROLLUPS = "INSERT INTO usage_rollups VALUES "
_ROLLUP_ROW = "(?, ?, ?, ?, ?, ?, 'sum', NULL, CAST(? AS DECIMAL(38, 9)), 1, 1, [1], ?, ?)"
_SELECT_RATED = """
SELECT subscription_id, line_kind, model, quantity, included_units, billable_units, breakdown,
       amount_unrounded, amount, active_us, period_us
FROM rated_charges
ORDER BY subscription_id, line_kind
"""


@dataclass(frozen=True)
class Case:
    """One charge priced for one subscription: its price, quantity and active time."""

    price: Price
    quantity: Decimal
    active_us: int = PERIOD_US

    def __post_init__(self) -> None:
        if not 0 < self.active_us <= PERIOD_US:
            raise ValueError(f"active_us {self.active_us} is outside (0, {PERIOD_US}]")


@dataclass(frozen=True)
class SqlLine:
    """What rated_charges holds for one case: its usage line and its true-up, if any."""

    model: str
    quantity: Decimal
    included: Decimal
    billable: Decimal
    amount_unrounded: Decimal
    amount: Decimal
    breakdown: tuple[TierAmount, ...]
    shortfall: Decimal  # amount_unrounded of the 'minimum_true_up' line (0 when none)
    shortfall_amount: Decimal  # its amount in cents (0 when none)
    line_count: int  # rated lines for the case: 1, or 2 with a true-up


def price_cases(cases: Sequence[Case], *, rollup_for_zero: bool = True) -> list[SqlLine]:
    """Rate every case in one run of the pricing SQL; the result is in the cases' order."""
    con = warehouse.connect(":memory:")
    try:
        warehouse.create_schema(con)
        con.execute("BEGIN TRANSACTION")  # one commit, not one per catalog row
        catalog_tables.load_catalog_tables(con, _catalog(cases))
        _load_subscriptions(con, cases, rollup_for_zero)
        warehouse.run(con, "rate/insert_rated_charges", engine.period_params(PERIOD))
        rows = con.execute(_SELECT_RATED).fetchall()
        con.execute("COMMIT")
    finally:
        con.close()
    by_case: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_case.setdefault(row[0], []).append(row)
    return [_line(by_case.get(_subscription(i), [])) for i in range(len(cases))]


def _plan(index: int) -> str:
    return f"plan-{index:05d}"


def _subscription(index: int) -> str:
    return f"sub-{index:05d}"


def _catalog(cases: Sequence[Case]) -> Catalog:
    service = Service(SERVICE, "Test service", "CAD")
    metric = Metric(SERVICE, METRIC, "Units", "sum", "unit")
    plans = tuple(
        Plan(_plan(i), SERVICE, f"Plan {i}", "CAD", (
            Charge(_plan(i), METRIC, "PRODUCT", "{metric_name}: {quantity} {unit}",
                   (_effective(case.price),)),))
        for i, case in enumerate(cases))
    return Catalog((service,), (metric,), plans)


def _effective(price: Price) -> Price:
    """The price, in force for the test period whatever date the case gave it."""
    return dataclasses.replace(price, effective_from=EFFECTIVE_FROM)


def _load_subscriptions(con: Any, cases: Sequence[Case], rollup_for_zero: bool) -> None:
    con.execute(_CREATE_PERIOD_SUBSCRIPTIONS)
    subscriptions: list[tuple[Any, ...]] = []
    rollups: list[tuple[Any, ...]] = []
    for i, case in enumerate(cases):
        sub = _subscription(i)
        account = f"acct-{i:05d}"
        customer = f"cust-{i:05d}"
        active_to = PERIOD.start + dt.timedelta(microseconds=case.active_us)
        subscriptions.append((sub, SERVICE, account, _plan(i), customer, PERIOD.start,
                              active_to, case.active_us))
        if case.quantity != 0 or rollup_for_zero:
            rollups.append((PERIOD.code, sub, customer, SERVICE, account, METRIC,
                            case.quantity, PERIOD.start, PERIOD.end))
    _insert(con, _INSERT_PERIOD_SUBSCRIPTIONS, _SUBSCRIPTION_ROW, subscriptions)
    _insert(con, _INSERT_ROLLUPS, _ROLLUP_ROW, rollups)


def _insert(con: Any, statement: str, row: str, rows: list[tuple[Any, ...]]) -> None:
    """Many rows in one statement (executemany binds and runs one statement per row)."""
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        con.execute(statement + ", ".join([row] * len(chunk)),
                    [value for values in chunk for value in values])


def _line(rows: list[tuple[Any, ...]]) -> SqlLine:
    usage = [r for r in rows if r[1] == "usage"]
    true_ups = [r for r in rows if r[1] == "minimum_true_up"]
    if len(usage) != 1 or len(true_ups) > 1:
        raise AssertionError(f"expected one usage line and at most one true-up, got {rows}")
    (_, _, model, quantity, included, billable, breakdown, unrounded, amount, _, _), = usage
    shortfall = true_ups[0][7] if true_ups else Decimal(0)
    shortfall_amount = true_ups[0][8] if true_ups else Decimal(0)
    parts = tuple(TierAmount(p["tier"], p["units"], p["unit_price"], p["flat_fee"], p["amount"])
                  for p in breakdown or [])
    return SqlLine(model, quantity, included, billable, unrounded, amount, parts, shortfall,
                   shortfall_amount, len(rows))
