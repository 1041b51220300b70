"""`GET /customers/{external_id}/current_usage?external_subscription_id=...`: the month to date
in Lago's `customer_usage` shape, priced by the rating's own statements (rating.api.pricing).

- The customer is the caller's service's: its external id is the app's own account id, as for
  GET /customers and the invoices (Lago's external_id is the app's id), or, failing that, a
  customer_key (our extension: the sum of that customer's accounts in the service, what its
  invoice will show; the benchmark's customers of 10 subscriptions); another service's
  customer is 404 customer_not_found, a subscription it does not have 404
  subscription_not_found. Without external_subscription_id, every subscription of the customer
  active this month is summed (Lago requires one; the sum is what the invoice will show).
- Money as Lago: integer `*_amount_cents`, and the exact decimal beside it as a string
  (`amount`, `units`): never a float. Each line is rounded half-up to cents as on the invoice
  (rated_charges.amount), and the cents are those of the rounded lines summed.
- `taxes_amount_cents` is 0: taxes (HST, GST, QST) are computed by Odoo when the invoice is
  posted, not by rating; `total_amount_cents` is therefore the amount before taxes.
- 503 with Retry-After until a first ingestion or rating has published the copies it reads.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from rating.api import errors
from rating.api.auth import Service
from rating.api.pricing import (
    NotPublished,
    PricedUsage,
    UnknownCustomer,
    UnknownSubscription,
    UsagePricer,
)

router = APIRouter()

AGGREGATION_TYPES = {"sum": "sum_agg", "max": "max_agg", "unique_count": "unique_count_agg",
                     "last": "latest_agg", "time_weighted_avg": "weighted_sum_agg"}
"""Lago's names of our aggregations (time_weighted_avg is Lago's weighted sum over the period)."""
CHARGE_MODELS = {"per_unit": "standard"}
"""Lago calls a per-unit price `standard`; graduated, volume, package, percentage are alike."""
RETRY_SECONDS = 60


def _cents(amount: Decimal) -> int:
    """Exact: amounts here are already rounded to cents."""
    cents = amount * 100
    assert cents == cents.to_integral_value(), amount
    return int(cents)


def _number(value: Decimal) -> str:
    """A quantity as Lago writes it (a string), exactly, without trailing zeros."""
    return format(value.normalize(), "f") if value else "0"


def _iso(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def _charge_usage(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """One charge's lines (its groups and any minimum true-up) as Lago's charges_usage item."""
    first = lines[0]
    usage = [line for line in lines if line["line_kind"] == "usage"]
    units = sum((line["quantity"] for line in usage), Decimal(0))
    amount = sum((line["amount"] or Decimal(0) for line in lines), Decimal("0.00"))
    # Lago's clients require total_aggregated_units, grouped_by and filters on each of these.
    grouped = [{"key": line["group_value"], "grouped_by": {line["group_by"]: line["group_value"]},
                "units": _number(line["quantity"]),
                "total_aggregated_units": _number(line["quantity"]),
                "amount": str(line["amount"]), "amount_cents": _cents(line["amount"] or Decimal(0)),
                "events_count": int(line["counter_rows"]), "filters": []}
               for line in usage if line["group_value"] is not None]
    return {
        "units": _number(units),
        "total_aggregated_units": _number(units),
        "events_count": sum(int(line["counter_rows"]) for line in usage),
        "amount_cents": _cents(amount),
        "amount": str(amount),
        "amount_currency": first["currency"],
        "priced": all(line["amount"] is not None for line in lines),
        "charge": {"lago_id": first["charge_id"],
                   "charge_model": CHARGE_MODELS.get(first["model"], first["model"]),
                   "invoice_display_name": first["description"]},
        "billable_metric": {"lago_id": first["metric"], "code": first["metric"],
                            "name": first["metric_name"],
                            "aggregation_type": AGGREGATION_TYPES.get(first["aggregation"],
                                                                      first["aggregation"])},
        "filters": [],
        "grouped_usage": grouped,
        "subscription_id": first["subscription_id"],
    }


def customer_usage(priced: PricedUsage) -> dict[str, Any]:
    """Lago's `customer_usage` object of the priced month to date."""
    by_charge: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in priced.lines:
        by_charge[(line["subscription_id"], line["charge_id"])].append(line)
    charges = [_charge_usage(lines) for lines in by_charge.values()]
    amount = sum((Decimal(c["amount"]) for c in charges), Decimal("0.00"))
    currencies = sorted({c["amount_currency"] for c in charges})
    period = priced.period
    return {"customer_usage": {
        "from_datetime": _iso(period.start),
        "to_datetime": _iso(period.end),
        "issuing_date": (period.last_day + dt.timedelta(days=1)).isoformat(),
        "currency": currencies[0] if len(currencies) == 1 else None,
        "amount_cents": _cents(amount),
        "amount": str(amount),
        "taxes_amount_cents": 0,
        "total_amount_cents": _cents(amount),
        "billing_period": period.code,
        "subscriptions": [s["subscription_id"] for s in priced.subscriptions],
        "pending_files": priced.pending_files,
        "charges_usage": charges,
    }}


@router.get("/customers/{external_id}/current_usage", tags=["customers"])
def get_current_usage(external_id: str, service: Service, request: Request,
                      external_subscription_id: str | None = None) -> dict[str, Any]:
    """Month-to-date usage and amount per charge (Lago's customer_usage), as the nightly
    rating would price it now, including usage landed since the last ingestion."""
    pricer = _pricer(request.app)
    try:
        priced = pricer.price(service, external_id, external_subscription_id)
    except UnknownCustomer:
        raise errors.not_found("customer") from None
    except UnknownSubscription:
        raise errors.not_found("subscription") from None
    except NotPublished:
        raise errors.ApiError(503, "usage_not_available", retry_after=RETRY_SECONDS) from None
    return customer_usage(priced)


_CREATING = threading.Lock()


def _pricer(app: FastAPI) -> UsagePricer:
    """The application's pool of readers, made on first use (the lifespan starts only
    rating.api.usage)."""
    with _CREATING:
        pricer: UsagePricer | None = getattr(app.state, "usage_pricer", None)
        if pricer is None:
            pricer = app.state.usage_pricer = UsagePricer(app.state.settings)
        return pricer


def start(app: FastAPI) -> None:
    """The pool of readers is made on first use."""


def stop(app: FastAPI) -> None:
    pricer: UsagePricer | None = getattr(app.state, "usage_pricer", None)
    if pricer is not None:
        pricer.close()
