"""The dual run against the legacy billing, and margins against provider costs (docs/margin.md).

Three more kinds of files land beside the usage, as CSV or Parquet:

    <landing>/legacy_billing/   source, service, account_id, period, charge, amount, currency,
                                legacy_invoice_id
    <landing>/provider_costs/   date, provider, service, account_id, metric, cost, currency
    <landing>/fx_rates/         date, currency, rate_to_cad

Every row is used or held in `finance_quarantine` with a reason (a file that cannot be read,
or lacks a column, by name). One run, in one transaction, rewrites the landed tables
(legacy_billing, provider_costs) and, for one period, reconciliation_legacy, cost_allocations,
margin_daily and margin_monthly, then cutover_readiness. It reads what the rating run of the
period wrote (invoice_lines, rated_charges, usage_rollups, validated_accounts, catalog_*).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from rating import warehouse
from rating.catalog import Catalog, load_catalog
from rating.ingest import landing, ledger
from rating.ingest import tables as accounts
from rating.periods import DEFAULT_TIME_ZONE, billing_period, first_of_next_month
from rating.progress import SILENT, Progress, count
from rating.warehouse import WarehouseSettings

CENT = Decimal("0.01")
KINDS: dict[str, tuple[tuple[str, ...], frozenset[str], str]] = {
    # kind: (columns in the raw table's order, the required ones, the raw table's statement)
    "legacy_billing": (("source", "service", "account_id", "period", "charge", "amount",
                        "currency", "legacy_invoice_id"),
                       frozenset({"source", "service", "account_id", "period", "amount",
                                  "currency"}), "finance/create_raw_legacy_billing"),
    "provider_costs": (("date", "provider", "service", "account_id", "metric", "cost",
                        "currency"),
                       frozenset({"date", "provider", "service", "cost", "currency"}),
                       "finance/create_raw_provider_costs"),
    "fx_rates": (("date", "currency", "rate_to_cad"),
                 frozenset({"date", "currency", "rate_to_cad"}), "finance/create_raw_fx_rates"),
}
# The statement that appends one file to a raw table, per file format.
RAW_INSERTS = {"csv": "finance/insert_raw_csv", "parquet": "finance/insert_raw_parquet"}
# One run's statements, in order, in its one transaction: the landed rows checked and held,
# then each table emptied (the landed tables whole, the others of the period's rows) and
# written again.
STEPS = (
    "finance/check_legacy_billing", "finance/check_fx_rates", "finance/check_provider_costs",
    "finance/clear_finance_quarantine", "finance/insert_finance_quarantine",
    "finance/clear_legacy_billing", "finance/insert_legacy_billing",
    "finance/clear_provider_costs", "finance/insert_provider_costs",
    "finance/delete_period_reconciliation_legacy", "finance/insert_reconciliation_legacy",
    "finance/delete_cutover_readiness", "finance/insert_cutover_readiness",
    "finance/delete_period_cost_allocations", "finance/insert_cost_allocations",
    "finance/delete_period_margin_daily", "finance/insert_margin_daily",
    "finance/delete_period_margin_monthly", "finance/insert_margin_monthly",
)


@dataclass(frozen=True)
class FinanceRequest:
    """One finance run.

    tolerance: the largest difference per line that still counts as a match.
    readiness_periods: how many of the last closed periods the cut-over readiness looks at.
    """

    landing: str
    catalog: Path
    warehouse: Path
    period: str
    tolerance: Decimal = Decimal("0.01")
    readiness_periods: int = 2
    time_zone: str = DEFAULT_TIME_ZONE
    settings: WarehouseSettings = field(default_factory=WarehouseSettings)


# A result's rows are named tuples: read by name, and laid out as they are in the tables of
# the Dagster metadata (reports.markdown_table), column by column.


class HeldRows(NamedTuple):
    """Rows (or files) of one kind held in finance_quarantine for one reason."""

    kind: str
    reason: str
    rows: int


class DualRunClass(NamedTuple):
    """The period's reconciliation lines of one class; the difference is legacy minus ours."""

    name: str
    lines: int
    our_amount: Decimal
    legacy_amount: Decimal
    difference: Decimal


class ServiceReadiness(NamedTuple):
    """A service's cut-over readiness: its customers matched on every line over `periods`."""

    service: str
    periods: str
    customers: int
    matched_customers: int
    share_matched: Decimal | None


class ServiceMargin(NamedTuple):
    service: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    margin_pct: Decimal | None


@dataclass(frozen=True)
class FinanceResult:
    period: str
    landed: dict[str, int]                              # usable rows per kind
    quarantined: list[HeldRows]
    classes: list[DualRunClass]
    readiness: list[ServiceReadiness]
    margin: list[ServiceMargin]
    currencies: tuple[str, ...] = ()                    # of the dual run's lines, both sides


def run_finance(request: FinanceRequest, progress: Progress = SILENT) -> FinanceResult:
    """Load the three kinds of files, reconcile the period against the legacy billing, allocate
    its provider costs and compute its margins; all written in one transaction, each step
    reported to `progress`."""
    period = billing_period(request.period, request.time_zone)
    if request.tolerance < 0 or request.tolerance != request.tolerance.quantize(CENT):
        raise ValueError(f"tolerance must be a non-negative amount in cents, not "
                         f"{request.tolerance}")
    if request.readiness_periods < 1:
        raise ValueError("readiness_periods must be at least 1")
    mapping = _cost_mapping(load_catalog(request.catalog))
    params = {"billing_period": request.period, "tolerance": request.tolerance,
              "periods": request.readiness_periods, "first_day": period.first_day,
              "end_day": first_of_next_month(period.first_day),
              "now": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
    landing.require_reachable(request.landing)
    with warehouse.writer(request.warehouse, request.settings) as con:
        warehouse.create_schema(con)
        landing.open_root(con, request.landing)
        # Files are read first, each statement on its own: a file that fails to read must not
        # abort the transaction that writes the tables.
        problems = _load_files(con, request.landing, progress)
        with progress.step(f"dual run and margins of {request.period}", total=len(STEPS),
                           unit="statements") as step:
            with (warehouse.transaction(con),
                  warehouse.registered(con, "cost_mapping", mapping)):
                for statement in STEPS:
                    warehouse.run(con, statement, params)
                    step.advance()
                for kind, file_path, reason, detail in problems:
                    warehouse.run(con, "finance/insert_file_problem", {
                        "kind": kind, "reason": reason, "file_path": file_path,
                        "detail": detail})
            result = _result(con, request.period)
            step.report("landed " + ", ".join(
                f"{kind} {rows:,}" for kind, rows in result.landed.items()))
        return result


def _cost_mapping(catalog: Catalog) -> pa.Table:
    """The catalog's cost allocations as the table the allocation statement joins."""
    allocations = catalog.cost_allocations
    return pa.table({
        "provider": [c.provider for c in allocations],
        "service": [c.service for c in allocations],
        "metric": [c.metric for c in allocations]},
        schema=pa.schema([("provider", pa.string()), ("service", pa.string()),
                          ("metric", pa.string())]))


def publish_analyst_copy(database: Path | str) -> Path:
    """Copy the warehouse to `<name>-analysts.duckdb` for readers (DuckDB allows one writer per
    file and no reader beside it). Taken under the writer lock after a checkpoint, written
    beside the target and renamed over it in one step: a reader that has the previous copy
    open keeps reading it, the next one opens the new one."""
    source = Path(database)
    target = source.with_name(f"{source.stem}-analysts{source.suffix}")
    partial = target.with_name(f".{target.name}.partial")
    with warehouse.writer(source) as con:
        con.execute("CHECKPOINT")
        shutil.copyfile(source, partial)
        # The ledger's catalog too, for the API's current_usage (rating.api.pricing): under
        # the same lock, so no writer has it open.
        ledger.publish_catalog(source)
    os.replace(partial, target)
    return target


def _load_files(con: Any, root: str,
                progress: Progress) -> list[tuple[str, str, str, str]]:
    """Every file of every kind into its raw table; (kind, file, reason, detail) for a file
    that cannot be used as a whole."""
    problems: list[tuple[str, str, str, str]] = []
    for kind, (columns, required, create) in KINDS.items():
        warehouse.run(con, create)
        readable = accounts.files(con, root, kind)
        with progress.step(f"reading {kind}", total=len(readable), unit="files") as step:
            held = len(problems)
            for path in readable:
                problem = accounts.load_table_file(con, root, path, table=f"raw_{kind}",
                                                   columns=columns, required=required,
                                                   inserts=RAW_INSERTS)
                if problem is not None:
                    problems.append((kind, *problem))
                step.advance()
                step.detail(path if problem is None else f"{path}: held, {problem[1]}")
            problems += [(kind, path, "unsupported_file",
                          "only .csv and .parquet files are read")
                         for path in _other_files(con, root, kind, set(readable))]
            step.report(f"{count(len(readable), 'files')}, {len(problems) - held:,} held")
    return problems


def _other_files(con: Any, root: str, kind: str, readable: set[str]) -> list[str]:
    """Files under `<landing>/<kind>/` that are not read (COSTS.CSV, costs.csv.gz, ...): named,
    never silently skipped."""
    base = root.rstrip("/")
    if not base.startswith("s3://") and not Path(base, kind).is_dir():
        return []
    everything = warehouse.rows(con, "ingest/references/glob_files",
                                {"pattern": f"{base}/{kind}/**/*"})
    return sorted(landing.relative_path(base, row["file"])
                  for row in everything if row["file"] not in readable)


def _result(con: Any, period: str) -> FinanceResult:
    def rows(name: str) -> list[warehouse.Row]:
        return warehouse.rows(con, name, {"billing_period": period})

    return FinanceResult(
        period,
        landed={row["kind"]: row["rows"] for row in rows("finance/finance_landed")},
        quarantined=[HeldRows(**row) for row in rows("finance/quarantine_by_reason")],
        classes=[DualRunClass(row["class"], row["lines"], row["our_amount"],
                              row["legacy_amount"], row["difference"])
                 for row in rows("finance/margin_dual_run_classes")],
        readiness=[ServiceReadiness(**row) for row in rows("finance/cutover_readiness")],
        margin=[ServiceMargin(**row) for row in rows("finance/margin_by_service_period")],
        currencies=tuple(row["currency"] for row in rows("finance/dual_run_currencies")))
