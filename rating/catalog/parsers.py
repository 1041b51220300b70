"""The catalog's entries from their YAML nodes: services, metrics, plans with their charges and
prices, cost allocations; each problem reported through the file's reader.

The known services or metrics are None when the catalog has none at all (a file missing or
empty, reported once): references to them are then not checked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Collection
from dataclasses import replace
from decimal import Decimal
from typing import Any

from rating.catalog.model import (
    AGGREGATIONS,
    CHARGE_MODELS,
    CURRENCY_DECIMALS,
    DEFAULT_DESCRIPTION,
    PLACEHOLDERS,
    PRICE_DECIMALS,
    Charge,
    CostAllocation,
    Metric,
    Plan,
    Price,
    Service,
    ServiceAccounting,
    Tier,
)
from rating.catalog.reader import Entry, Reader

# The keys of a price version: those of every model, and those of each model.
PRICE_KEYS = {"effective_from", "model", "included_units", "minimum_amount"}
MODEL_KEYS: dict[str, set[str]] = {
    "per_unit": {"unit_price"},
    "graduated": {"tiers"},
    "volume": {"tiers"},
    "package": {"package_size", "package_price", "free_units"},
    "percentage": {"rate", "free_amount", "min_amount", "max_amount"},
}
# YAML's date form: the month and day may have one digit (2026-1-5).
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def read_cost_allocations(raw: list[Entry], metrics: set[tuple[str, str]] | None
                          ) -> list[CostAllocation]:
    found: dict[tuple[str, str], CostAllocation] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"provider", "service", "metric"})
        provider = reader.text(node, "provider", path, code=True)
        service = reader.text(node, "service", path, code=True)
        metric = reader.text(node, "metric", path, code=True)
        if provider is None or service is None or metric is None:
            continue
        if metrics is not None and (service, metric) not in metrics:
            reader.fail(f"{path}.metric", f"no metric {metric!r} in service {service!r}")
            continue
        if (provider, service) in found:
            reader.fail(path, f"provider {provider!r} is mapped twice for service {service!r}")
            continue
        found[(provider, service)] = CostAllocation(provider, service, metric)
    return sorted(found.values(), key=lambda c: (c.provider, c.service))


def read_services(raw: list[Entry]) -> list[Service]:
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


def _service_accounting(reader: Reader, service: dict[str, Any], path: str
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


def read_metrics(raw: list[Entry], services: Collection[str] | None) -> list[Metric]:
    metrics: dict[tuple[str, str], Metric] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"code", "service", "name", "aggregation", "unit",
                                         "filter", "group_by", "field_name"})
        code = reader.text(node, "code", path, code=True)
        service = reader.text(node, "service", path, code=True)
        aggregation = reader.text(node, "aggregation", path)
        unit = reader.text(node, "unit", path)
        name = reader.text(node, "name", path, required=False) or code
        group_by = reader.text(node, "group_by", path, required=False)
        field_name = reader.text(node, "field_name", path, required=False) or "value"
        if service is not None and services is not None and service not in services:
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
        metrics[(service, code)] = Metric(service, code, name, aggregation, unit, filters, group_by,
                                         field_name)
    return sorted(metrics.values(), key=lambda m: (m.service, m.code))


def read_plans(raw: list[Entry], services: dict[str, Service] | None,
               metrics: set[tuple[str, str]] | None) -> list[Plan]:
    plans: dict[str, Plan] = {}
    for reader, path, node in raw:
        reader.unknown_keys(node, path, {"code", "service", "name", "currency", "charges"})
        code = reader.text(node, "code", path)
        service = reader.text(node, "service", path, code=True)
        name = reader.text(node, "name", path, required=False) or code
        if service is not None and services is not None and service not in services:
            reader.fail(f"{path}.service", f"unknown service {service!r}")
            service = None
        currency = reader.text(node, "currency", path, required=False)
        if currency is None and service is not None and services is not None:
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


def _charge(reader: Reader, path: str, node: dict[str, Any], plan: str, service: str,
            metrics: set[tuple[str, str]] | None) -> Charge | None:
    reader.unknown_keys(node, path, {"metric", "product", "description", "prices"})
    metric = reader.text(node, "metric", path, code=True)
    product = reader.text(node, "product", path)
    description = reader.text(node, "description", path, required=False) or DEFAULT_DESCRIPTION
    if metric is not None and metrics is not None and (service, metric) not in metrics:
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


def _price(reader: Reader, path: str, node: dict[str, Any]) -> Price | None:
    model = reader.text(node, "model", path)
    if model is not None and model not in CHARGE_MODELS:
        reader.fail(f"{path}.model", f"{model!r} is not a charge model; expected one of "
                    f"{', '.join(CHARGE_MODELS)}")
        model = None
    # Without a model, any model's keys are allowed: a mistyped model is reported once, not
    # again through the keys of the model meant.
    model_keys = MODEL_KEYS[model] if model else set().union(*MODEL_KEYS.values())
    reader.unknown_keys(node, path, PRICE_KEYS | model_keys)
    effective_from = _date(reader, node, "effective_from", path)
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


def _date(reader: Reader, node: dict[str, Any], key: str, path: str) -> dt.date | None:
    value = node.get(key)
    if value is None:
        reader.fail(f"{path}.{key}", "missing; expected a date (YYYY-MM-DD)")
        return None
    written = DATE_PATTERN.match(value.strip()) if isinstance(value, str) else None
    if written is None:
        reader.fail(f"{path}.{key}", f"{value!r} is not a date; expected YYYY-MM-DD, "
                    "e.g. 2026-01-01")
        return None
    try:
        return dt.date(*(int(part) for part in written.groups()))
    except ValueError as exc:
        reader.fail(f"{path}.{key}", f"{value!r} is not a date ({exc}); expected YYYY-MM-DD, "
                    "e.g. 2026-01-01")
        return None


def _tiers(reader: Reader, path: str, node: dict[str, Any]) -> tuple[Tier, ...]:
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
