"""The margin report's figures: read from the warehouse, exact, and formatted for display."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, NamedTuple

from rating import warehouse


class HeadlineRow(NamedTuple):
    """One service's figures in the period (or the totals, under TOTAL_LABEL); a tuple whose
    order is the headline's columns (HEADLINE_HEADER)."""

    service: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None
    matched_percent: Decimal | None


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


@dataclass(frozen=True)
class ReportFigures:
    """Everything the HTML page shows.

    history: margin per billing period and service up to the period (billing_period, service,
        margin); classes: the dual run's classes (class, lines, our_amount, legacy_amount,
        difference).
    """

    headline: list[HeadlineRow]
    history: list[warehouse.Row]
    top: list[Customer]
    bottom: list[Customer]
    readiness: list[Readiness]
    classes: list[warehouse.Row]


def margin_pct(margin: Decimal, revenue: Decimal) -> Decimal | None:
    """margin / revenue * 100, to the hundredth (half up); None without revenue."""
    if revenue == 0:
        return None
    with localcontext(prec=80):
        return (margin * 100 / revenue).quantize(_CENT, rounding=ROUND_HALF_UP)


def read_headline(con: Any, period: str) -> list[HeadlineRow]:
    totals = warehouse.rows(con, "reports/margin_service_totals", {"billing_period": period})
    if not totals:
        return []
    shares = {r.service: r.share_matched for r in read_readiness(con)}
    rows = [HeadlineRow(t["service"], t["revenue"], t["cost"], t["margin"],
                        margin_pct(t["margin"], t["revenue"]), shares.get(t["service"]))
            for t in totals]
    revenue = sum((r.revenue for r in rows), Decimal(0))
    cost = sum((r.cost for r in rows), Decimal(0))
    margin = sum((r.margin for r in rows), Decimal(0))
    rows.append(HeadlineRow(TOTAL_LABEL, revenue, cost, margin, margin_pct(margin, revenue),
                            None))
    return rows


def read_readiness(con: Any) -> list[Readiness]:
    return [Readiness(**row) for row in warehouse.rows(con, "reports/margin_readiness")]


def read_figures(con: Any, period: str) -> ReportFigures:
    in_period = {"billing_period": period}
    extremes = warehouse.rows(con, "reports/margin_customer_extremes",
                              {**in_period, "limit": EXTREMES})
    # The statement orders by top rank; the bottom list is in its own rank order.
    bottom = sorted(extremes, key=lambda row: int(row["bottom_rank"]))
    return ReportFigures(
        headline=read_headline(con, period),
        history=warehouse.rows(con, "reports/margin_service_history", in_period),
        top=[_customer(row) for row in extremes if row["top_rank"] <= EXTREMES],
        bottom=[_customer(row) for row in bottom if row["bottom_rank"] <= EXTREMES],
        readiness=read_readiness(con),
        classes=warehouse.rows(con, "finance/margin_dual_run_classes", in_period),
    )


def _customer(row: warehouse.Row) -> Customer:
    return Customer(row["customer_key"], row["revenue"], row["cost"], row["margin"])


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
    return [row.service, format_amount(row.revenue), format_amount(row.cost),
            format_amount(row.margin), format_percent(row.margin_percent),
            format_percent(row.matched_percent)]
