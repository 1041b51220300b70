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
    currency: str = "CAD"  # of the revenue (costs are in CAD); "CAD/USD" when mixed


TOTAL_LABEL = "all services"
HEADLINE_HEADER = ("service", "revenue", "cost", "margin", "margin %", "customers matched %")
NO_DATA = "No data for this period."
EXTREMES = 10  # customers in each of the top and bottom lists

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Customer:
    key: str
    name: str | None
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
        difference); held_costs: the period's costs held for want of an FX rate, per service
        and currency (service, currency, cost_rows, cost: None when unknown); without_cost:
        the services with revenue and no cost (service, cost_rows: provider costs naming it).
    """

    headline: list[HeadlineRow]
    history: list[warehouse.Row]
    top: list[Customer]
    bottom: list[Customer]
    readiness: list[Readiness]
    classes: list[warehouse.Row]
    held_costs: list[warehouse.Row]
    without_cost: list[warehouse.Row]


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
                        margin_pct(t["margin"], t["revenue"]), shares.get(t["service"]),
                        t["currency"])
            for t in totals]
    revenue = sum((r.revenue for r in rows), Decimal(0))
    cost = sum((r.cost for r in rows), Decimal(0))
    margin = sum((r.margin for r in rows), Decimal(0))
    currencies = {r.currency for r in rows}
    rows.append(HeadlineRow(TOTAL_LABEL, revenue, cost, margin, margin_pct(margin, revenue),
                            None, currencies.pop() if len(currencies) == 1 else "mixed"))
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
        classes=warehouse.rows(con, "reports/margin_dual_run_classes", in_period),
        held_costs=warehouse.rows(con, "reports/margin_held_costs", in_period),
        without_cost=warehouse.rows(con, "reports/margin_services_without_cost", in_period),
    )


def _customer(row: warehouse.Row) -> Customer:
    return Customer(row["customer_key"], row["name"], row["revenue"], row["cost"], row["margin"])


def cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal, currency: str | None = None) -> str:
    """1234.505 -> '1,234.51' (half up); with a currency, '1,234.51 CAD'."""
    text = f"{cents(value):,.2f}"
    return f"{text} {currency}" if currency else text


def format_percent(value: Decimal | None) -> str:
    """33.35 -> '33.4' (half up); None -> 'n/a'."""
    if value is None:
        return "n/a"
    return f"{value.quantize(_TENTH, rounding=ROUND_HALF_UP):,.1f}"


COST_CURRENCY = "CAD"  # the finance run converts every cost to CAD


def formatted(row: HeadlineRow, *, currencies: bool = False) -> list[str]:
    """The row's cells; with `currencies`, each amount names its currency (revenue the
    service's, cost CAD, margin 'mixed' when the two differ)."""
    revenue, cost, margin = (row.currency, COST_CURRENCY,
                             row.currency if row.currency == COST_CURRENCY else "mixed"
                             ) if currencies else (None, None, None)
    return [row.service, format_amount(row.revenue, revenue), format_amount(row.cost, cost),
            format_amount(row.margin, margin), format_percent(row.margin_percent),
            format_percent(row.matched_percent)]
