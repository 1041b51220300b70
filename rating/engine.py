"""Rate one billing period: landed usage + catalog + subscriptions -> warehouse tables.

The same code backs the command line and the Dagster assets. Steps:
1. load the catalog (invalid: nothing is rated) and the subscriptions / account links;
2. find, inspect and read every usage file (unreadable files are quarantined by name);
3. classify every row: accepted, superseded or quarantined with a reason, and check that
   rows read = accepted + superseded + quarantined;
4. in ONE transaction: replace the run-wide tables (landed_files, usage_quarantine,
   reference_quarantine, catalog_*) and the period's rows of usage_rollups, rated_charges and
   invoice_lines (delete, then insert). A failure rolls back and leaves the previous result.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow

from rating import accounts, landing, warehouse
from rating.catalog import Catalog, load_catalog
from rating.periods import DEFAULT_TIME_ZONE, BillingPeriod, billing_period, periods_between
from rating.warehouse import WarehouseSettings


class ConservationError(RuntimeError):
    """Rows read != accepted + superseded + quarantined: a row would be lost."""


@dataclass(frozen=True)
class RateRequest:
    landing: str
    catalog: Path
    warehouse: Path
    period: str
    time_zone: str = DEFAULT_TIME_ZONE
    settings: WarehouseSettings = field(default_factory=WarehouseSettings)


@dataclass(frozen=True)
class RateResult:
    run_id: str
    period: str
    files_found: int
    files_unreadable: int
    rows_read: int
    rows_accepted: int
    rows_superseded: int
    rows_quarantined: int
    rated_lines: int
    invoice_lines: int
    unpriced_lines: int
    amount_total: Decimal
    seconds: float
    quarantine_by_reason: tuple[tuple[str, int], ...] = ()
    period_closed: bool = False
    late_rows: int = 0


@dataclass(frozen=True)
class Validation:
    """What the validation stage found in the landing zone (all periods)."""

    files_found: int
    files_unreadable: int
    rows_read: int
    rows_accepted: int
    rows_superseded: int
    rows_quarantined: int
    quarantine_by_reason: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PeriodTotals:
    """What the rating stage wrote for one period."""

    rated_lines: int
    invoice_lines: int
    unpriced_lines: int
    amount_total: Decimal
    closed: bool = False
    late_rows: int = 0


def rate(request: RateRequest) -> RateResult:
    """Validate the landing zone and rate one period, all in ONE transaction."""
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    period = billing_period(request.period, request.time_zone)
    catalog = load_catalog(request.catalog)
    with warehouse.writer(request.warehouse, request.settings) as con:
        problems, files = _prepare(con, request, catalog, period)
        with warehouse.transaction(con):
            validation = _write_validation(con, files, problems)
            totals = _write_period(con, period)
            run_id = _record_run(con, period, started, validation, totals)
    finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return RateResult(run_id, period.code, validation.files_found, validation.files_unreadable,
                      validation.rows_read, validation.rows_accepted,
                      validation.rows_superseded, validation.rows_quarantined,
                      totals.rated_lines, totals.invoice_lines, totals.unpriced_lines,
                      totals.amount_total, (finished - started).total_seconds(),
                      validation.quarantine_by_reason, totals.closed, totals.late_rows)


def validate(request: RateRequest) -> Validation:
    """The validation stage alone (the Dagster `landed_usage` asset): classify the whole
    landing zone and replace the run-wide tables, in one transaction."""
    period = billing_period(request.period, request.time_zone)
    catalog = load_catalog(request.catalog)
    with warehouse.writer(request.warehouse, request.settings) as con:
        problems, files = _prepare(con, request, catalog, period)
        with warehouse.transaction(con):
            validation = _write_validation(con, files, problems)
    return validation


def rate_period(database: Path, period_code: str, time_zone: str = DEFAULT_TIME_ZONE,
                settings: WarehouseSettings | None = None) -> PeriodTotals:
    """The rating stage alone (the Dagster rating assets): rate one period from what the last
    validation kept in the warehouse, in one transaction."""
    period = billing_period(period_code, time_zone)
    with warehouse.writer(database, settings) as con:
        for name in ("cat_services", "cat_metrics", "cat_plans", "cat_charges", "cat_prices",
                     "cat_price_tiers", "usage_outcomes", "ref_subscriptions", "ref_accounts"):
            warehouse.run(con, f"restore/{name}")
        with warehouse.transaction(con):
            totals = _write_period(con, period)
    return totals


def close_period(database: Path, period_code: str, time_zone: str = DEFAULT_TIME_ZONE,
                 settings: WarehouseSettings | None = None) -> bool:
    """Mark a rated period closed (once): later runs leave its rows as they are and put its
    late usage in late_usage. True when this call closed it."""
    params = period_params(billing_period(period_code, time_zone))
    with warehouse.writer(database, settings) as con:
        warehouse.create_schema(con)
        with warehouse.transaction(con):
            already = bool(warehouse.run(con, "report/period_closed", params).fetchone()[0])
            warehouse.run(con, "write/insert_closed_period_files", params)
            warehouse.run(con, "write/insert_closed_period", {
                **params, "closed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
    return not already


def summarise_period(database: Path, period_code: str, time_zone: str = DEFAULT_TIME_ZONE,
                     settings: WarehouseSettings | None = None) -> int:
    """Replace the period's rows of period_summaries; the number of services summarised."""
    params = period_params(billing_period(period_code, time_zone))
    with warehouse.writer(database, settings) as con, warehouse.transaction(con):
        if not warehouse.run(con, "report/period_closed", params).fetchone()[0]:
            warehouse.run(con, "write/delete_period_period_summaries", params)
            warehouse.run(con, "write/insert_period_summaries", params)
        count = warehouse.run(con, "report/count_period_summaries", params).fetchone()[0]
    return int(count)


def _prepare(con: Any, request: RateRequest, catalog: Catalog, period: BillingPeriod
             ) -> tuple[list[accounts.FileProblem], list[landing.LandedFile]]:
    """Read everything into temp tables and classify the usage; writes nothing durable."""
    warehouse.create_schema(con)
    load_catalog_tables(con, catalog)
    landing.open_root(con, request.landing)
    problems = accounts.load_reference(con, request.landing, request.time_zone)
    files = landing.discover(con, request.landing)
    landing.inspect(con, files)
    create_period_buckets(con, period)
    warehouse.run(con, "ingest/create_account_links")
    classify_usage(con, files, [s.code for s in catalog.services])
    return problems, files


def _write_validation(con: Any, files: list[landing.LandedFile],
                      problems: list[accounts.FileProblem]) -> Validation:
    """Check conservation, then replace the run-wide tables (inside the caller's transaction)."""
    counts = dict(warehouse.run(con, "report/status_counts").fetchall())
    rows_read = sum(f.rows for f in files if f.error is None)
    accepted = int(counts.get("accepted", 0))
    superseded = int(counts.get("superseded", 0))
    quarantined = int(counts.get("quarantined", 0))
    if rows_read != accepted + superseded + quarantined:
        raise ConservationError(
            f"rows read ({rows_read}) != accepted ({accepted}) + superseded ({superseded})"
            f" + quarantined ({quarantined})")
    write_run_tables(con, problems)
    for name in ("usage", "subscriptions", "accounts"):
        warehouse.run(con, f"write/replace_validated_{name}")
    by_reason = tuple((str(r), int(n)) for r, n in warehouse.run(
        con, "report/quarantine_by_reason").fetchall())
    return Validation(len(files), sum(1 for f in files if f.error is not None), rows_read,
                      accepted, superseded, quarantined, by_reason)


def _write_period(con: Any, period: BillingPeriod) -> PeriodTotals:
    """Replace the period's rollups, rated charges and invoice lines (caller's transaction);
    for a closed period, touch none of them and record its late usage instead."""
    params = period_params(period)
    closed = bool(warehouse.run(con, "report/period_closed", params).fetchone()[0])
    if closed:
        warehouse.run(con, "write/delete_period_late_usage", params)
        warehouse.run(con, "write/insert_late_usage", params)
    else:
        for table in ("invoice_lines", "rated_charges", "usage_rollups"):
            warehouse.run(con, f"write/delete_period_{table}", params)
        warehouse.run(con, "rate/create_period_subscriptions", params)
        warehouse.run(con, "rate/insert_usage_rollups", params)
        warehouse.run(con, "rate/insert_rated_charges", params)
        warehouse.run(con, "write/insert_invoice_lines", params)
    rated, lines, total, unpriced = warehouse.run(con, "report/period_totals", params).fetchone()
    late = warehouse.run(con, "report/late_rows", params).fetchone()[0]
    return PeriodTotals(int(rated), int(lines), int(unpriced),
                        total if total is not None else Decimal("0.00"), closed, int(late))


def _record_run(con: Any, period: BillingPeriod, started: dt.datetime, validation: Validation,
                totals: PeriodTotals) -> str:
    run_id = uuid.uuid4().hex
    warehouse.run(con, "write/insert_rating_run", {
        "run_id": run_id, "billing_period": period.code, "started_at": started,
        "finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "files_found": validation.files_found, "files_unreadable": validation.files_unreadable,
        "rows_read": validation.rows_read, "rows_accepted": validation.rows_accepted,
        "rows_superseded": validation.rows_superseded,
        "rows_quarantined": validation.rows_quarantined,
        "rated_lines": totals.rated_lines, "invoice_lines": totals.invoice_lines,
        "amount_total": totals.amount_total})
    return run_id


def period_params(period: BillingPeriod) -> dict[str, Any]:
    return {
        "billing_period": period.code,
        "period_key": int(period.code.replace("-", "")),
        "period_start": period.start,
        "period_end": period.end,
        "period_us": period.seconds * 1_000_000,
        "period_first_day": period.first_day,
        "period_label": period.first_day.strftime("%B %Y"),
    }


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
    """The validated catalog as cat_* temp tables (copied to catalog_* at write time)."""
    for name in ("services", "metrics", "plans", "charges", "prices", "price_tiers"):
        warehouse.run(con, f"catalog/create_cat_{name}")
    for s in catalog.services:
        _insert(con, "catalog/insert_cat_services",
                      {"service": s.code, "name": s.name, "currency": s.currency})
    for metric_key, m in enumerate(catalog.metrics, start=1):
        filter_json = None
        if m.filter:
            filter_json = json.dumps(dict(m.filter), sort_keys=True, separators=(",", ":"))
        _insert(con, "catalog/insert_cat_metrics", {
            "service": m.service, "metric": m.code, "name": m.name,
            "aggregation": m.aggregation, "unit": m.unit, "filter_json": filter_json,
            "group_by": m.group_by, "metric_key": metric_key})
    for plan in catalog.plans:
        _insert(con, "catalog/insert_cat_plans", {
            "plan_code": plan.code, "service": plan.service, "name": plan.name,
            "currency": plan.currency})
        for charge in plan.charges:
            _insert(con, "catalog/insert_cat_charges", {
                "charge_id": charge.charge_id, "plan_code": plan.code, "metric": charge.metric,
                "product_code": charge.product, "description": charge.description})
            for price in charge.prices:
                price_id = f"{charge.charge_id}@{price.effective_from.isoformat()}"
                _insert(con, "catalog/insert_cat_prices", {
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
                    _insert(con, "catalog/insert_cat_price_tiers", {
                        "price_id": price_id, "tier": index, "lower_bound": lower,
                        "upper_bound": tier.up_to, "unit_price": tier.unit_price,
                        "flat_fee": tier.flat_fee})
                    lower = tier.up_to if tier.up_to is not None else lower


def record_files(con: Any, files: list[landing.LandedFile]) -> None:
    """landed_file_checks: each file's id, path rank, status and schema problems."""
    warehouse.run(con, "ingest/create_landed_files")
    for rank, f in enumerate(files):
        warehouse.run(con, "ingest/insert_landed_file", {
            "file_id": f.file_id, "file_rank": rank, "file_path": f.relative_path,
            "rows": None if f.error else f.rows,
            "status": "unreadable" if f.error else "read",
            # The message names the file; keep it relative so results do not depend on
            # where the landing zone is mounted.
            "error": f.error.replace(f.path, f.relative_path) if f.error else None,
            "missing_columns": [] if f.error else f.missing_columns,
            "extra_columns": [] if f.error else f.extra_columns,
            "has_value_column": "value" in f.types})


def classify_usage(con: Any, files: list[landing.LandedFile], services: list[str]) -> None:
    """Find superseded rows, then classify and aggregate every row in one streaming pass.

    A file whose metadata reads but whose pages do not fails the pass: the files are then
    decoded one by one, the bad ones quarantined by name, and the pass runs again.
    """
    for attempt in (1, 2):
        record_files(con, files)
        try:
            keys = landing.source(files, landing.KEY_COLUMNS)
            warehouse.run_text(con, keys.into(warehouse.sql("ingest/create_superseded_rows")),
                               keys.params)
            rows = landing.source(files)
            warehouse.run_text(con, rows.into(warehouse.sql("ingest/create_usage_outcomes")),
                               {**rows.params, "known_services": services})
            return
        except duckdb.Error:
            # Retry only when a file is to blame; otherwise the error is the engine's own.
            if attempt == 2 or not landing.verify(con, files):
                raise


def create_period_buckets(con: Any, period: BillingPeriod) -> None:
    """Billing periods from 2000 to 2099 by the UTC months they overlap; a row whose window
    starts outside them is quarantined (outside_billing_periods)."""
    warehouse.run(con, "ingest/create_period_buckets")
    columns: dict[str, list[Any]] = {"utc_month": [], "billing_period": [], "start_at": [],
                                     "end_at": []}
    first = billing_period("2000-01", period.time_zone).start
    last = billing_period("2099-12", period.time_zone).start
    for p in periods_between(first, last, period.time_zone):
        month = p.start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        while month < p.end:
            columns["utc_month"].append(month)
            columns["billing_period"].append(p.code)
            columns["start_at"].append(p.start)
            columns["end_at"].append(p.end)
            month = (month + dt.timedelta(days=32)).replace(day=1)
    # Thousands of values bind slowly as statement parameters; an Arrow table does not.
    con.register("period_bucket_rows", pyarrow.table(columns))
    try:
        warehouse.run(con, "ingest/insert_period_buckets")
    finally:
        con.unregister("period_bucket_rows")


def write_run_tables(con: Any, file_problems: list[accounts.FileProblem]) -> None:
    for table in ("landed_files", "usage_quarantine", "reference_quarantine"):
        warehouse.run(con, f"write/clear_{table}")
    warehouse.run(con, "write/insert_landed_files")
    warehouse.run(con, "write/insert_usage_quarantine")
    warehouse.run(con, "write/insert_reference_quarantine")
    for problem in sorted(file_problems, key=lambda p: (p.kind, p.file_path)):
        warehouse.run(con, "write/insert_reference_file_problem", {
            "kind": problem.kind, "reason": problem.reason, "file_path": problem.file_path,
            "detail": problem.detail})
    for name in ("services", "metrics", "plans", "charges", "prices", "price_tiers"):
        warehouse.run(con, f"write/replace_catalog_{name}")
