"""The margin report's figures: read from the warehouse, exact, and formatted for display."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from rating import warehouse

HeadlineRow = tuple[str, Decimal, Decimal, Decimal, Decimal | None, Decimal | None]

TOTAL_LABEL = "all services"
HEADLINE_HEADER = ("service", "revenue", "cost", "margin", "margin %", "customers matched %")
NO_DATA = "No data for this period."
EXTREMES = 10  # customers in each of the top and bottom lists

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Customer:
    key: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal


@dataclass(frozen=True)
class Readiness:
    service: str
    periods: str
    customers: int
    matched_customers: int
    share_matched: Decimal | None
    computed_at: dt.datetime


# --- the headline ---------------------------------------------------------------------------


def margin_pct(margin: Decimal, revenue: Decimal) -> Decimal | None:
    """margin / revenue * 100, to the hundredth (half up); None without revenue."""
    if revenue == 0:
        return None
    with localcontext(prec=80):
        return (margin * 100 / revenue).quantize(_CENT, rounding=ROUND_HALF_UP)

def read_headline(con: Any, period: str) -> list[HeadlineRow]:
    totals = warehouse.run(con, "reports/margin_service_totals",
                           {"billing_period": period}).fetchall()
    if not totals:
        return []
    shares = {r.service: r.share_matched for r in read_readiness(con)}
    rows: list[HeadlineRow] = [
        (service, revenue, cost, margin, margin_pct(margin, revenue), shares.get(service))
        for service, revenue, cost, margin in totals
    ]
    revenue = sum((r[1] for r in rows), Decimal(0))
    cost = sum((r[2] for r in rows), Decimal(0))
    margin = sum((r[3] for r in rows), Decimal(0))
    rows.append((TOTAL_LABEL, revenue, cost, margin, margin_pct(margin, revenue), None))
    return rows


def read_readiness(con: Any) -> list[Readiness]:
    rows = warehouse.run(con, "reports/margin_readiness").fetchall()
    return [Readiness(*row) for row in rows]


def cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """1234.505 -> '1,234.51' (half up)."""
    return f"{cents(value):,.2f}"


def format_percent(value: Decimal | None) -> str:
    """33.35 -> '33.4' (half up); None -> 'n/a'."""
    if value is None:
        return "n/a"
    return f"{value.quantize(_TENTH, rounding=ROUND_HALF_UP):,.1f}"


def formatted(row: HeadlineRow) -> list[str]:
    service, revenue, cost, margin, pct, share = row
    return [service, format_amount(revenue), format_amount(cost), format_amount(margin),
            format_percent(pct), format_percent(share)]
