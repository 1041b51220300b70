"""The validated catalog as DuckDB temp tables (cat_*), for ingestion and rating alike."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from rating import warehouse
from rating.catalog import Catalog


def fingerprint(catalog: Catalog) -> str:
    """sha256 of the catalog's content (frozen dataclasses print the same for the same
    catalog), recorded with each rating so that a changed catalog is visible."""
    return hashlib.sha256(repr(catalog).encode("utf-8")).hexdigest()


def _bindable(value: Any) -> Any:
    """Decimal('1E+6') binds as 1 in DuckDB's client: write such numbers out in full."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            return value.quantize(Decimal(1))
    return value


def _insert(con: Any, name: str, params: dict[str, Any]) -> None:
    warehouse.run(con, name, {k: _bindable(v) for k, v in params.items()})


def load_catalog_tables(con: Any, catalog: Catalog) -> None:
    """The validated catalog as cat_* temp tables (copied to catalog_* when a period is rated)."""
    for statement in ("rate/catalog/create_cat_services", "rate/catalog/create_cat_metrics",
                      "rate/catalog/create_cat_plans", "rate/catalog/create_cat_charges",
                      "rate/catalog/create_cat_prices", "rate/catalog/create_cat_price_tiers"):
        warehouse.run(con, statement)
    for s in catalog.services:
        _insert(con, "rate/catalog/insert_cat_services",
                {"service": s.code, "name": s.name, "currency": s.currency})
    for metric_key, m in enumerate(catalog.metrics, start=1):
        filter_json = None
        if m.filter:
            filter_json = json.dumps(dict(m.filter), sort_keys=True, separators=(",", ":"))
        _insert(con, "rate/catalog/insert_cat_metrics", {
            "service": m.service, "metric": m.code, "name": m.name,
            "aggregation": m.aggregation, "unit": m.unit, "filter_json": filter_json,
            "group_by": m.group_by, "metric_key": metric_key})
    for plan in catalog.plans:
        _insert(con, "rate/catalog/insert_cat_plans", {
            "plan_code": plan.code, "service": plan.service, "name": plan.name,
            "currency": plan.currency})
        for charge in plan.charges:
            _insert(con, "rate/catalog/insert_cat_charges", {
                "charge_id": charge.charge_id, "plan_code": plan.code, "metric": charge.metric,
                "product_code": charge.product, "description": charge.description})
            for price in charge.prices:
                price_id = f"{charge.charge_id}@{price.effective_from.isoformat()}"
                _insert(con, "rate/catalog/insert_cat_prices", {
                    "price_id": price_id, "charge_id": charge.charge_id,
                    "effective_from": price.effective_from, "model": price.model,
                    "included_units": price.included_units,
                    "minimum_amount": price.minimum_amount,
                    "package_size": price.package_size, "package_price": price.package_price,
                    "free_units": price.free_units, "rate": price.rate,
                    "free_amount": price.free_amount, "min_amount": price.min_amount,
                    "max_amount": price.max_amount})
                lower = Decimal(0)
                for index, tier in enumerate(price.tiers, start=1):
                    _insert(con, "rate/catalog/insert_cat_price_tiers", {
                        "price_id": price_id, "tier": index, "lower_bound": lower,
                        "upper_bound": tier.up_to, "unit_price": tier.unit_price,
                        "flat_fee": tier.flat_fee})
                    lower = tier.up_to if tier.up_to is not None else lower
