"""The catalog: services, billable metrics, plans and their charges, read from YAML files.

Every `*.yaml` / `*.yml` file under the catalog folder may hold any of the top-level lists
`services`, `metrics`, `plans` and `cost_allocation`; the folder is merged into one catalog.
Validation collects every problem (file, path inside it, what is wrong, what was expected) and
raises one `CatalogError`; nothing is rated from an invalid catalog. The format is documented in
docs/catalog.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

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
    """The catalog is invalid; `problems` lists each one as 'file: path: message'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the catalog is invalid ({len(problems)} problem(s)):\n{listed}")


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


class _Reader:
    """Collects problems while reading one file's YAML tree."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{self.file}: {path}: {message}")

    def mapping(self, node: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.fail(path, f"expected a mapping, found {_kind(node)}")
            return None
        return node

    def unknown_keys(self, node: dict[str, Any], path: str, allowed: set[str]) -> None:
        for key in sorted(set(node) - allowed, key=str):
            self.fail(f"{path}.{key}", f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def text(self, node: dict[str, Any], key: str, path: str, *, required: bool = True,
             code: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "missing; expected a string")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", f"expected a non-empty string, found {_kind(value)}")
            return None
        if code and not CODE_PATTERN.match(value):
            self.fail(f"{path}.{key}", f"{value!r} is not a code; expected lower-case letters, "
                      "digits, '_', '.' or '-'")
            return None
        return value

    def decimal(self, node: dict[str, Any], key: str, path: str, *, required: bool = False,
                positive: bool = False, decimals: int = PRICE_DECIMALS) -> Decimal | None:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "missing; expected a number (write prices as strings)")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str, float)):
            self.fail(f"{path}.{key}", f"expected a number, found {_kind(value)}")
            return None
        if isinstance(value, float):
            # YAML floats are binary: 0.1 is not 0.1. Money must be written as a string.
            self.fail(f"{path}.{key}", f"{value!r} is a binary float; write it as a string, "
                      f"e.g. '{value}'")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{path}.{key}", f"{value!r} is not a number")
            return None
        if not number.is_finite() or number < 0 or (positive and number == 0):
            expected = "greater than zero" if positive else "zero or more"
            self.fail(f"{path}.{key}", f"{value!r} is out of range; expected a number {expected}")
            return None
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > decimals:
            self.fail(f"{path}.{key}", f"{value!r} has more than {decimals} decimals")
            return None
        if exponent > 0:
            # '1e6' parses as Decimal('1E+6'), which DuckDB's client binds as 1: write it out.
            number = number.quantize(Decimal(1))
        if number >= Decimal(10) ** MAX_INTEGER_DIGITS:
            self.fail(f"{path}.{key}", f"{value!r} is too large")
            return None
        return number

    def items(self, node: dict[str, Any], key: str, path: str) -> Iterator[tuple[str, Any]]:
        value = node.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", f"expected a list, found {_kind(value)}")
            return
        prefix = f"{path}.{key}" if path else key
        for index, item in enumerate(value):
            yield f"{prefix}[{index}]", item


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a float"}.get(type(value), type(value).__name__)


def load_catalog(folder: Path | str) -> Catalog:
    """Read and validate every YAML file under `folder`; raise CatalogError listing all problems."""
    root = Path(folder)
    problems: list[str] = []
    if not root.is_dir():
        raise CatalogError([f"{root}: the catalog folder does not exist"])
    files = sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not files:
        raise CatalogError([f"{root}: no .yaml files found in the catalog folder"])

    raw_services: list[tuple[_Reader, str, dict[str, Any]]] = []
    raw_metrics: list[tuple[_Reader, str, dict[str, Any]]] = []
    raw_plans: list[tuple[_Reader, str, dict[str, Any]]] = []
    raw_costs: list[tuple[_Reader, str, dict[str, Any]]] = []
    for file in files:
        reader = _Reader(str(file.relative_to(root)), problems)
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            reader.fail("(file)", f"not valid YAML: {exc}")
            continue
        if document is None:
            # An emptied file would silently take its plans (and every invoice) with it.
            reader.fail("(file)", "the file is empty; a catalog file holds services, metrics, "
                                  "plans or cost_allocation: restore it, or delete the file if "
                                  "it is not needed")
            continue
        top = reader.mapping(document, "(top)")
        if top is None:
            continue
        reader.unknown_keys(top, "(top)", {"services", "metrics", "plans", "cost_allocation"})
        for bucket, key in ((raw_services, "services"), (raw_metrics, "metrics"),
                            (raw_plans, "plans"), (raw_costs, "cost_allocation")):
            for path, item in reader.items(top, key, ""):
                node = reader.mapping(item, path)
                if node is not None:
                    bucket.append((reader, path, node))

    services = _services(raw_services)
    metrics = _metrics(raw_metrics, {s.code for s in services})
    plans = _plans(raw_plans, {s.code: s for s in services}, {(m.service, m.code) for m in metrics})
    costs = _cost_allocations(raw_costs, {(m.service, m.code) for m in metrics})
    for found, name in ((raw_services, "services"), (raw_metrics, "metrics"),
                        (raw_plans, "plans")):
        if not found:
            problems.append(f"{root}: the catalog has no {name} (is a file missing?); nothing "
                            "can be rated without them")
    if problems:
        raise CatalogError(problems)
    return Catalog(tuple(services), tuple(metrics), tuple(plans), tuple(costs))


def _cost_allocations(raw: list[tuple[_Reader, str, dict[str, Any]]],
                      metrics: set[tuple[str, str]]) -> list[CostAllocation]:
    found: dict[tuple[str, str], CostAllocation] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"provider", "service", "metric"})
        provider = reader.text(node, "provider", path, code=True)
        service = reader.text(node, "service", path, code=True)
        metric = reader.text(node, "metric", path, code=True)
        if provider is None or service is None or metric is None:
            continue
        if (service, metric) not in metrics:
            reader.fail(f"{path}.metric", f"no metric {metric!r} in service {service!r}")
            continue
        if (provider, service) in found:
            reader.fail(path, f"provider {provider!r} is mapped twice for service {service!r}")
            continue
        found[(provider, service)] = CostAllocation(provider, service, metric)
    return sorted(found.values(), key=lambda c: (c.provider, c.service))


def _services(raw: list[tuple[_Reader, str, dict[str, Any]]]) -> list[Service]:
    services: dict[str, Service] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"code", "name", "currency", "odoo"})
        code = reader.text(node, "code", path, code=True)
        name = reader.text(node, "name", path)
        currency = reader.text(node, "currency", path, required=False) or "CAD"
        if currency not in CURRENCY_DECIMALS:
            reader.fail(f"{path}.currency", f"{currency!r} is not supported; expected one of "
                        f"{', '.join(sorted(CURRENCY_DECIMALS))}")
        accounting = _service_accounting(reader, node, f"{path}.odoo")
        if code is None or name is None:
            continue
        if code in services:
            reader.fail(f"{path}.code", f"service {code!r} is defined twice")
            continue
        services[code] = Service(code, name, currency, accounting)
    return sorted(services.values(), key=lambda s: s.code)


def _service_accounting(reader: _Reader, service: dict[str, Any], path: str
                        ) -> ServiceAccounting:
    if service.get("odoo") is None:
        return ServiceAccounting()
    node = reader.mapping(service["odoo"], path)
    if node is None:
        return ServiceAccounting()
    keys = ("income_account", "product_category", "analytic_account", "journal", "payment_term")
    reader.unknown_keys(node, path, set(keys))
    # An account code written unquoted (411200) is read by YAML as a number.
    node = {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in node.items()}
    values = {key: reader.text(node, key, path, required=False) for key in keys}
    return ServiceAccounting(**{k: v for k, v in values.items() if v is not None})


def _metrics(raw: list[tuple[_Reader, str, dict[str, Any]]], services: set[str]) -> list[Metric]:
    metrics: dict[tuple[str, str], Metric] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"code", "service", "name", "aggregation", "unit",
                                         "filter", "group_by"})
        code = reader.text(node, "code", path, code=True)
        service = reader.text(node, "service", path, code=True)
        aggregation = reader.text(node, "aggregation", path)
        unit = reader.text(node, "unit", path)
        name = reader.text(node, "name", path, required=False) or code
        group_by = reader.text(node, "group_by", path, required=False)
        if service is not None and service not in services:
            reader.fail(f"{path}.service", f"unknown service {service!r}; expected one of "
                        f"{', '.join(sorted(services)) or '(no service defined)'}")
            service = None
        if aggregation is not None and aggregation not in AGGREGATIONS:
            reader.fail(f"{path}.aggregation", f"{aggregation!r} is not an aggregation; expected "
                        f"one of {', '.join(AGGREGATIONS)}")
            aggregation = None
        filters: dict[str, str] = {}
        raw_filter = node.get("filter")
        if raw_filter is not None:
            if not isinstance(raw_filter, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in raw_filter.items()):
                reader.fail(f"{path}.filter", "expected a mapping of dimension name to string "
                            "value, e.g. {region: ca-east}")
            else:
                filters = dict(sorted(raw_filter.items()))
        if None in (code, service, aggregation, unit, name):
            continue
        assert code and service and aggregation and unit and name
        if (service, code) in metrics:
            reader.fail(f"{path}.code", f"metric {code!r} is defined twice for service {service!r}")
            continue
        metrics[(service, code)] = Metric(service, code, name, aggregation, unit, filters, group_by)
    return sorted(metrics.values(), key=lambda m: (m.service, m.code))


def _plans(raw: list[tuple[_Reader, str, dict[str, Any]]], services: dict[str, Service],
           metrics: set[tuple[str, str]]) -> list[Plan]:
    plans: dict[str, Plan] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"code", "service", "name", "currency", "charges"})
        code = reader.text(node, "code", path)
        service = reader.text(node, "service", path, code=True)
        name = reader.text(node, "name", path, required=False) or code
        if service is not None and service not in services:
            reader.fail(f"{path}.service", f"unknown service {service!r}")
            service = None
        currency = reader.text(node, "currency", path, required=False)
        if currency is None and service is not None:
            currency = services[service].currency
        if currency is not None and currency not in CURRENCY_DECIMALS:
            reader.fail(f"{path}.currency", f"{currency!r} is not supported")
        charges: list[Charge] = []
        seen: set[str] = set()
        for charge_path, item in reader.items(node, "charges", path):
            charge_node = reader.mapping(item, charge_path)
            if charge_node is None or code is None or service is None:
                continue
            charge = _charge(reader, charge_path, charge_node, code, service, metrics)
            if charge is None:
                continue
            if charge.metric in seen:
                reader.fail(f"{charge_path}.metric", f"plan {code!r} charges metric "
                            f"{charge.metric!r} twice; expected one charge per metric")
                continue
            seen.add(charge.metric)
            charges.append(charge)
        if code is None or service is None or name is None or currency is None:
            continue
        if code in plans:
            reader.fail(f"{path}.code", f"plan {code!r} is defined twice")
            continue
        plans[code] = Plan(code, service, name, currency,
                           tuple(sorted(charges, key=lambda c: c.metric)))
    return sorted(plans.values(), key=lambda p: p.code)


def _charge(reader: _Reader, path: str, node: dict[str, Any], plan: str, service: str,
            metrics: set[tuple[str, str]]) -> Charge | None:
    reader.unknown_keys(node, path, {"metric", "product", "description", "prices"})
    metric = reader.text(node, "metric", path, code=True)
    product = reader.text(node, "product", path)
    description = reader.text(node, "description", path, required=False) or DEFAULT_DESCRIPTION
    if metric is not None and (service, metric) not in metrics:
        reader.fail(f"{path}.metric", f"unknown metric {metric!r} for service {service!r}")
        metric = None
    for placeholder in re.findall(r"{([^{}]*)}", description):
        if placeholder not in PLACEHOLDERS:
            reader.fail(f"{path}.description", f"unknown placeholder {{{placeholder}}}; expected "
                        f"one of {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}")
    prices: list[Price] = []
    for price_path, item in reader.items(node, "prices", path):
        price_node = reader.mapping(item, price_path)
        if price_node is not None:
            price = _price(reader, price_path, price_node)
            if price is not None:
                prices.append(price)
    if "prices" not in node:
        reader.fail(f"{path}.prices", "missing; expected a list of price versions")
    prices.sort(key=lambda p: p.effective_from)
    for earlier, later in itertools.pairwise(prices):
        if earlier.effective_from == later.effective_from:
            reader.fail(f"{path}.prices", f"two prices take effect on {later.effective_from}")
    if metric is None or product is None or not prices:
        return None
    return Charge(plan, metric, product, description, tuple(prices))


def _price(reader: _Reader, path: str, node: dict[str, Any]) -> Price | None:
    model = reader.text(node, "model", path)
    allowed = {"effective_from", "model", "included_units", "minimum_amount"}
    model_keys = {
        "per_unit": {"unit_price"},
        "graduated": {"tiers"},
        "volume": {"tiers"},
        "package": {"package_size", "package_price", "free_units"},
        "percentage": {"rate", "free_amount", "min_amount", "max_amount"},
    }
    if model is not None and model not in CHARGE_MODELS:
        reader.fail(f"{path}.model", f"{model!r} is not a charge model; expected one of "
                    f"{', '.join(CHARGE_MODELS)}")
        model = None
    reader.unknown_keys(node, path, allowed | model_keys.get(model or "", set()))
    effective_from = node.get("effective_from")
    if isinstance(effective_from, str):
        with contextlib.suppress(ValueError):
            effective_from = dt.date.fromisoformat(effective_from)
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        reader.fail(f"{path}.effective_from", f"expected a date (YYYY-MM-DD), found "
                    f"{_kind(node.get('effective_from'))}")
        effective_from = None
    included = reader.decimal(node, "included_units", path) or Decimal(0)
    minimum = reader.decimal(node, "minimum_amount", path)
    if model is None or effective_from is None:
        return None
    common = Price(effective_from, model, included_units=included, minimum_amount=minimum)
    if model == "per_unit":
        unit_price = reader.decimal(node, "unit_price", path, required=True)
        if unit_price is None:
            return None
        return replace(common, tiers=(Tier(None, unit_price, Decimal(0)),))
    if model in ("graduated", "volume"):
        tiers = _tiers(reader, path, node)
        return replace(common, tiers=tiers) if tiers else None
    if model == "package":
        size = reader.decimal(node, "package_size", path, required=True, positive=True)
        price = reader.decimal(node, "package_price", path, required=True)
        free = reader.decimal(node, "free_units", path) or Decimal(0)
        if size is None or price is None:
            return None
        return replace(common, package_size=size, package_price=price, free_units=free)
    # A percent with 7 decimals is a fraction with 9: the rate stays exact in DECIMAL(38, 9).
    rate = reader.decimal(node, "rate", path, required=True, decimals=PRICE_DECIMALS - 2)
    free_amount = reader.decimal(node, "free_amount", path) or Decimal(0)
    low = reader.decimal(node, "min_amount", path)
    high = reader.decimal(node, "max_amount", path)
    if low is not None and high is not None and low > high:
        reader.fail(f"{path}.min_amount", f"{low} is above max_amount {high}")
        return None
    if rate is None:
        return None
    return replace(common, rate=rate, free_amount=free_amount, min_amount=low,
                   max_amount=high)


def _tiers(reader: _Reader, path: str, node: dict[str, Any]) -> tuple[Tier, ...]:
    tiers: list[Tier] = []
    entries = list(reader.items(node, "tiers", path))
    if not entries:
        reader.fail(f"{path}.tiers", "missing or empty; expected a list of tiers")
        return ()
    previous = Decimal(0)
    ok = True
    for index, (tier_path, item) in enumerate(entries):
        tier_node = reader.mapping(item, tier_path)
        if tier_node is None:
            ok = False
            continue
        reader.unknown_keys(tier_node, tier_path, {"up_to", "unit_price", "flat_fee"})
        last = index == len(entries) - 1
        up_to = reader.decimal(tier_node, "up_to", tier_path)
        if last and up_to is not None:
            reader.fail(f"{tier_path}.up_to", "the last tier must be open: leave up_to empty")
            ok = False
        if not last and up_to is None:
            reader.fail(f"{tier_path}.up_to", "missing; only the last tier may be open")
            ok = False
        if up_to is not None and up_to <= previous:
            reader.fail(f"{tier_path}.up_to", f"{up_to} must be above the previous tier's "
                        f"bound {previous}")
            ok = False
        unit_price = reader.decimal(tier_node, "unit_price", tier_path, required=True)
        flat_fee = reader.decimal(tier_node, "flat_fee", tier_path) or Decimal(0)
        if up_to is not None:
            previous = up_to
        if unit_price is None:
            ok = False
            continue
        tiers.append(Tier(up_to, unit_price, flat_fee))
    return tuple(tiers) if ok else ()
