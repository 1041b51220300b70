"""The catalog's records (frozen dataclasses), its limits and the error that lists its problems."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

AGGREGATIONS = ("sum", "max", "last", "unique_count", "time_weighted_avg")
CHARGE_MODELS = ("per_unit", "graduated", "volume", "package", "percentage")
# Prices carry up to 9 decimals (a map tile can cost CAD 0.0000125); quantities likewise.
PRICE_DECIMALS = 9
# Amounts are DECIMAL(38, 18) and proration multiplies by microseconds: 15 integer digits keep
# every intermediate inside DuckDB's 128-bit integers.
MAX_INTEGER_DIGITS = 15
# Amounts are rounded to cents at the invoice line, so only two-decimal currencies are accepted.
CURRENCY_DECIMALS = {"CAD": 2, "USD": 2, "EUR": 2, "GBP": 2}
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PLACEHOLDERS = frozenset(
    {"metric", "metric_name", "unit", "period", "quantity", "billable", "included", "group",
     "plan", "service", "service_name", "kind"}
)


class CatalogError(ValueError):
    """The catalog is invalid; `problems` lists each one as 'file:line: path: message' (the
    line when the problem is in the file's YAML; 'file: (file): message' for the whole file)."""

    def __init__(self, problems: list[str], folder: Path | None = None) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        # The problems' file names are relative to the folder: name it once.
        where = f" in {folder}" if folder is not None else ""
        super().__init__(f"the catalog{where} is invalid ({len(problems)} problem(s)):\n"
                         f"{listed}")


# The service revenue account of Odoo's Canadian chart (ca_2023): usage is a service, never
# "Sales of Goods" (411100).
DEFAULT_INCOME_ACCOUNT = "411200"


@dataclass(frozen=True)
class ServiceAccounting:
    """How a service's invoices are booked in Odoo (services.yaml, a service's `odoo:`).

    income_account: the income account's code (default 411200, service revenue on ca_2023);
    product_category, analytic_account: names, the service's name by default (created by
        `fusion-rating odoo setup`);
    journal: a sales journal's code (default: Odoo's first sales journal);
    payment_term: an `account.payment.term` name, e.g. "30 Days" (default: Odoo's, from the
        customer or the company).
    """

    income_account: str = DEFAULT_INCOME_ACCOUNT
    product_category: str | None = None
    analytic_account: str | None = None
    journal: str | None = None
    payment_term: str | None = None


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    currency: str
    odoo: ServiceAccounting = field(default_factory=ServiceAccounting)

    @property
    def booking(self) -> ServiceAccounting:
        """Its `odoo:` settings with the category and analytic account named (the service's
        name by default)."""
        return replace(self.odoo, product_category=self.odoo.product_category or self.name,
                       analytic_account=self.odoo.analytic_account or self.name)


@dataclass(frozen=True)
class Metric:
    service: str
    code: str
    name: str
    aggregation: str
    unit: str
    filter: Mapping[str, str] = field(default_factory=dict)
    group_by: str | None = None
    field_name: str = "value"
    """The event property holding the value (Lago's `field_name`), for POST /events: for a
    unique_count metric, the property that is the counter's unique_key."""


@dataclass(frozen=True)
class Tier:
    """Units in (previous tier's up_to, up_to]; up_to None is the open last tier."""

    up_to: Decimal | None
    unit_price: Decimal
    flat_fee: Decimal


@dataclass(frozen=True)
class Price:
    """One version of a charge's price, in force from `effective_from` (a date)."""

    effective_from: dt.date
    model: str
    included_units: Decimal = Decimal(0)
    minimum_amount: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    package_size: Decimal | None = None
    package_price: Decimal | None = None
    free_units: Decimal = Decimal(0)
    rate: Decimal | None = None
    free_amount: Decimal = Decimal(0)
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


@dataclass(frozen=True)
class Charge:
    plan: str
    metric: str
    product: str
    description: str
    prices: tuple[Price, ...]

    @property
    def charge_id(self) -> str:
        return f"{self.plan}:{self.metric}"


@dataclass(frozen=True)
class Plan:
    code: str
    service: str
    name: str
    currency: str
    charges: tuple[Charge, ...]


@dataclass(frozen=True)
class CostAllocation:
    """A provider's pooled costs for a service are shared by usage of this metric."""

    provider: str
    service: str
    metric: str


@dataclass(frozen=True)
class Catalog:
    services: tuple[Service, ...]
    metrics: tuple[Metric, ...]
    plans: tuple[Plan, ...]
    cost_allocations: tuple[CostAllocation, ...] = ()

    def charges(self) -> Iterator[Charge]:
        for plan in self.plans:
            yield from plan.charges


DEFAULT_DESCRIPTION = "{metric_name} ({period}): {quantity} {unit}"
