"""The catalog: services, billable metrics, plans and their charges, read from YAML files.

Every `*.yaml` / `*.yml` file under the catalog folder may hold any of the top-level lists
`services`, `metrics`, `plans` and `cost_allocation`; the folder is merged into one catalog.
Validation collects every problem (file, path inside it, what is wrong, what was expected) and
raises one `CatalogError`; nothing is rated from an invalid catalog. The format is documented in
docs/catalog.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rating.catalog.model import (
    AGGREGATIONS,
    CHARGE_MODELS,
    CODE_PATTERN,
    CURRENCY_DECIMALS,
    DEFAULT_DESCRIPTION,
    DEFAULT_INCOME_ACCOUNT,
    MAX_INTEGER_DIGITS,
    PLACEHOLDERS,
    PRICE_DECIMALS,
    Catalog,
    CatalogError,
    Charge,
    CostAllocation,
    Metric,
    Plan,
    Price,
    Service,
    ServiceAccounting,
    Tier,
)
from rating.catalog.parsers import read_cost_allocations, read_metrics, read_plans, read_services
from rating.catalog.reader import Reader

__all__ = [
    "AGGREGATIONS",
    "CHARGE_MODELS",
    "CODE_PATTERN",
    "CURRENCY_DECIMALS",
    "DEFAULT_DESCRIPTION",
    "DEFAULT_INCOME_ACCOUNT",
    "MAX_INTEGER_DIGITS",
    "PLACEHOLDERS",
    "PRICE_DECIMALS",
    "Catalog",
    "CatalogError",
    "Charge",
    "CostAllocation",
    "Metric",
    "Plan",
    "Price",
    "Service",
    "ServiceAccounting",
    "Tier",
    "load_catalog",
]


def load_catalog(folder: Path | str) -> Catalog:
    """Read and validate every YAML file under `folder`; raise CatalogError listing all problems."""
    root = Path(folder)
    problems: list[str] = []
    if not root.is_dir():
        raise CatalogError([f"{root}: the catalog folder does not exist"])
    files = sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not files:
        raise CatalogError([f"{root}: no .yaml files found in the catalog folder"])

    raw_services: list[tuple[Reader, str, dict[str, Any]]] = []
    raw_metrics: list[tuple[Reader, str, dict[str, Any]]] = []
    raw_plans: list[tuple[Reader, str, dict[str, Any]]] = []
    raw_costs: list[tuple[Reader, str, dict[str, Any]]] = []
    for file in files:
        reader = Reader(str(file.relative_to(root)), problems)
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

    services = read_services(raw_services)
    metrics = read_metrics(raw_metrics, {s.code for s in services})
    plans = read_plans(raw_plans, {s.code: s for s in services},
                       {(m.service, m.code) for m in metrics})
    costs = read_cost_allocations(raw_costs, {(m.service, m.code) for m in metrics})
    for found, name in ((raw_services, "services"), (raw_metrics, "metrics"),
                        (raw_plans, "plans")):
        if not found:
            problems.append(f"{root}: the catalog has no {name} (is a file missing?); nothing "
                            "can be rated without them")
    if problems:
        raise CatalogError(problems)
    return Catalog(tuple(services), tuple(metrics), tuple(plans), tuple(costs))
