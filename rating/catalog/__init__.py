"""The catalog: services, billable metrics, plans and their charges, read from YAML files.

Every `*.yaml` / `*.yml` file under the catalog folder may hold any of the top-level lists
`services`, `metrics`, `plans` and `cost_allocation`; the folder is merged into one catalog.
Validation collects every problem (file, path inside it, what is wrong, what was expected) and
raises one `CatalogError`; nothing is rated from an invalid catalog. The format is documented in
docs/catalog.md.
"""

from __future__ import annotations

from pathlib import Path

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
from rating.catalog.reader import Entry, Reader

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

# The top-level lists a catalog file may hold; each file may hold any of them.
SECTIONS = ("services", "metrics", "plans", "cost_allocation")


def load_catalog(folder: Path | str) -> Catalog:
    """Read and validate every YAML file under `folder`; raise CatalogError listing all problems."""
    root = Path(folder)
    problems: list[str] = []
    if not root.is_dir():
        raise CatalogError([f"{root}: the catalog folder does not exist"])
    files = sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not files:
        raise CatalogError([f"{root}: no .yaml files found in the catalog folder"])

    entries: dict[str, list[Entry]] = {section: [] for section in SECTIONS}
    for file in files:
        _read_file(Reader(str(file.relative_to(root)), problems), file, entries)
    services = read_services(entries["services"])
    metrics = read_metrics(entries["metrics"], {s.code for s in services})
    plans = read_plans(entries["plans"], {s.code: s for s in services},
                       {(m.service, m.code) for m in metrics})
    costs = read_cost_allocations(entries["cost_allocation"],
                                  {(m.service, m.code) for m in metrics})
    for name in ("services", "metrics", "plans"):
        if not entries[name]:
            problems.append(f"{root}: the catalog has no {name} (is a file missing?); nothing "
                            "can be rated without them")
    if problems:
        raise CatalogError(problems)
    return Catalog(tuple(services), tuple(metrics), tuple(plans), tuple(costs))


def _read_file(reader: Reader, file: Path, entries: dict[str, list[Entry]]) -> None:
    """Each mapping listed under one of the file's sections, appended to that section's."""
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        reader.fail("(file)", f"not valid YAML: {exc}")
        return
    if document is None:
        # An emptied file would silently take its plans (and every invoice) with it.
        reader.fail("(file)", "the file is empty; a catalog file holds services, metrics, "
                              "plans or cost_allocation: restore it, or delete the file if "
                              "it is not needed")
        return
    top = reader.mapping(document, "(top)")
    if top is None:
        return
    reader.unknown_keys(top, "(top)", set(SECTIONS))
    for section in SECTIONS:
        for path, item in reader.items(top, section, ""):
            node = reader.mapping(item, path)
            if node is not None:
                entries[section].append((reader, path, node))
