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
    rows = reports.query(warehouse, "reports/invoiced_by_metric", {"billing_period": period})
    return [InvoicedLine(str(r[0]), str(r[1]), str(r[2]), str(r[3]), Decimal(r[4]).quantize(CENT),
                         str(r[5])) for r in rows]
