"""Our invoiced lines of a rated period, read from the warehouse: what the legacy billing
and the provider costs of the finance sample are derived from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rating.reports import queries as reports

CENT = Decimal("0.01")


@dataclass(frozen=True)
class InvoicedLine:
    """Our amount for one (service, account, metric) of one invoice."""

    invoice_key: str
    service: str
    account_id: str
    metric: str
    amount: Decimal
    currency: str


def read_invoiced_lines(warehouse: Path, period: str) -> list[InvoicedLine]:
    rows = reports.records(warehouse, "reports/invoiced_by_metric", {"billing_period": period})
    return [InvoicedLine(invoice_key=str(r["invoice_key"]), service=str(r["service"]),
                         account_id=str(r["account_id"]), metric=str(r["metric"]),
                         amount=Decimal(r["amount"]).quantize(CENT), currency=str(r["currency"]))
            for r in rows]
