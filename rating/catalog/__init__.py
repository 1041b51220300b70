"""The catalog: services, billable metrics, plans and their charges, read from YAML files.

Every `*.yaml` / `*.yml` file under the catalog folder may hold any of the top-level lists
`services`, `metrics`, `plans` and `cost_allocation`; the folder is merged into one catalog.
Validation collects every problem (file, line, path inside it, what is wrong, what was expected)
and raises one `CatalogError`; nothing is rated from an invalid catalog. The format is documented
in docs/catalog.md."""

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
from rating.catalog.source import read_yaml

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
# The lists nothing can be rated without; each is usually in the file of its name.
REQUIRED_SECTIONS = ("services", "metrics", "plans")


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
    unread: set[str] = set()
    for file in files:
        name = str(file.relative_to(root))
        if not _read_file(Reader(name, problems), file, entries):
            unread.add(name)
    # Said first and once: the references into a missing list are not checked, as each would
    # only repeat that the list is missing.
    problems[:0] = _missing_sections(root, entries, unread)
    services = read_services(entries["services"])
    service_codes = {s.code: s for s in services} if entries["services"] else None
    metrics = read_metrics(entries["metrics"], service_codes)
    metric_keys = {(m.service, m.code) for m in metrics} if entries["metrics"] else None
    plans = read_plans(entries["plans"], service_codes, metric_keys)
    costs = read_cost_allocations(entries["cost_allocation"], metric_keys)
    if problems:
        raise CatalogError(problems, root)
    return Catalog(tuple(services), tuple(metrics), tuple(plans), tuple(costs))


def _missing_sections(root: Path, entries: dict[str, list[Entry]], unread: set[str]
                      ) -> list[str]:
    """A problem for each list the catalog cannot be rated without and that no file holds,
    unless a file that could not be read (already a problem) may hold it: the file of its name,
    or any file not named after a list."""
    named = {f"{section}{suffix}": section for section in REQUIRED_SECTIONS
             for suffix in (".yaml", ".yml")}
    if any(name not in named for name in unread):
        return []
    missing: list[str] = []
    for section in REQUIRED_SECTIONS:
        usual = f"{section}.yaml"
        if entries[section] or section in {named[name] for name in unread}:
            continue
        if (root / usual).is_file():
            missing.append(f"{usual}: (file): holds no `{section}:` list and no other file "
                           f"does, so the catalog has no {section} and nothing can be rated: "
                           f"write them under `{section}:`")
        else:
            missing.append(f"{usual}: (file): the file is missing, so the catalog has no "
                           f"{section} (no other file holds a `{section}:` list) and nothing "
                           f"can be rated: restore {root / usual}")
    return missing


def _read_file(reader: Reader, file: Path, entries: dict[str, list[Entry]]) -> bool:
    """Each mapping listed under one of the file's sections, appended to that section's; False
    when the file is empty or is not YAML (its problem is reported)."""
    try:
        source = read_yaml(file.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        reader.fail("(file)", f"not valid YAML: {exc.problem}{context}",
                    line=mark.line + 1 if mark else None)
        return False
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        reader.fail("(file)", f"not valid YAML: {exc}")
        return False
    if source.document is None:
        # An emptied file would silently take its plans (and every invoice) with it.
        section = Path(reader.file).stem
        advice = (f"restore it: the catalog has no {section} without it"
                  if reader.file in {f"{s}.yaml" for s in REQUIRED_SECTIONS}
                  else "restore it, or delete the file if it is not needed")
        reader.fail("(file)", "the file is empty; a catalog file holds services, metrics, "
                              f"plans or cost_allocation: {advice}")
        return False
    reader.lines = source.lines
    for duplicate in source.duplicates:
        lines = (f"on line {duplicate.line}" if duplicate.first_line == duplicate.line
                 else f"on lines {duplicate.first_line} and {duplicate.line}")
        reader.fail(duplicate.path, f"written twice, {lines}; YAML would keep only the last: "
                    "keep one", line=duplicate.line)
    top = reader.mapping(source.document, "(top)")
    if top is None:
        return True
    reader.unknown_keys(top, "(top)", set(SECTIONS))
    for section in SECTIONS:
        for path, item in reader.items(top, section, ""):
            node = reader.mapping(item, path)
            if node is not None:
                entries[section].append((reader, path, node))
    return True
