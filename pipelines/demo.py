"""The README's main job: a sample month, the whole graph materialized in process on the
embedded defaults (rating, checks, month close, posting to Odoo), and a short summary.

Between the ingestion and the rating, a little usage goes through the billing API: the demo
starts `fusion-rating serve`, creates a key for NexaMaps, pushes counters and Lago events over
HTTP, and the Dagster sensor asks for the period's rating of the files the server flushed
(pipelines/demo_api.py).

Posting is a dry run into odoo_outbox unless ODOO_URL (and its credentials) is set: then the
sample's invoices are posted to that Odoo (docs/odoo.md). Then sample legacy billing, provider
costs and FX rates land (derived from the rated month, with planted differences), the finance
assets run the dual run and the margins, the analysts' copy is published and the margin report
is written (docs/margin.md). Last, every catalog service has a webhook endpoint at a local app
that verifies each signature, and one delivery pass sends it what the month told
(pipelines/demo_webhooks.py, docs/webhooks.md). Each demo starts a fresh warehouse and replaces
the folder's sample.

It prints a line per step and the summary; Dagster's own log (a few hundred DEBUG lines, each
step's events) goes to <out>/demo.log.

    python -m pipelines.demo [--rows 200000] [--out demo] [--period 2026-10]
"""

import argparse
import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import dagster as dg

from pipelines.definitions import ASSETS, CHECKS
from pipelines.demo_api import ApiDemo, api_summary, push_through_api
from pipelines.demo_webhooks import DemoApp, local_app, metadata_values, webhooks_summary
from pipelines.resources import RatingResource, odoo_resource_from_environment
from rating.api.settings import default_state
from rating.catalog import load_catalog
from rating.ingest import ledger
from rating.odoo import setup as odoo_setup
from rating.odoo.gateway import connect, settings_from_environment
from rating.rate.engine import release_input
from rating.reports import margin as margin_report
from rating.reports import queries as reports
from rating.samples.finance import write_finance_sample
from rating.samples.usage import SampleSummary, write_sample


@dataclass(frozen=True)
class DemoRuns:
    """The demo's three runs, in order, and the usage files it released between them."""

    ingestion: dg.ExecuteInProcessResult
    month: dg.ExecuteInProcessResult  # rating, checks, month close, posting
    finance: dg.ExecuteInProcessResult
    released: tuple[str, ...]
    api: ApiDemo  # the usage pushed through the billing API before the rating
    webhooks: dg.ExecuteInProcessResult  # one delivery pass to the local app
    app: DemoApp  # what the local app received

    @property
    def all(self) -> tuple[dg.ExecuteInProcessResult, ...]:
        return self.ingestion, self.month, self.finance, self.webhooks


class Progress:
    """One line per step on the terminal; what the step writes to stderr (Dagster's console
    log) into the log file instead."""

    def __init__(self, log: TextIO) -> None:
        self.log = log

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        print(f"  {what} ...", end="", flush=True)
        self.log.write(f"\n=== {what}\n")
        started = time.monotonic()
        with contextlib.redirect_stderr(self.log):
            yield
        self.log.flush()
        print(f" {time.monotonic() - started:.1f} s", flush=True)


def set_up_odoo(catalog: Path) -> None:
    """With ODOO_URL, do what `fusion-rating odoo setup --apply` does for the sample's catalog
    (posting refuses an Odoo that is not set up): the demo posts into a test Odoo."""
    settings = settings_from_environment()
    if settings is None:
        return
    gateway = connect(settings)
    done, steps = odoo_setup.apply(gateway, odoo_setup.Needs.for_catalog(load_catalog(catalog)))
    print(f"Odoo setup at {settings.shown_url}: {len(done)} change(s) made; "
          f"{sum(s.status != 'ok' for s in steps)} step(s) not ok"
          + "".join(f"\n  {s.describe()}" for s in steps if s.status != "ok"))


def fresh_warehouse(out: Path) -> Path:
    """The warehouse file under `out`, its previous copy and ledger removed."""
    warehouse = out / "warehouse.duckdb"
    for stale in (warehouse, Path(f"{warehouse}.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(ledger.default_folder(warehouse), ignore_errors=True)
    shutil.rmtree(default_state(warehouse), ignore_errors=True)  # services, keys, endpoints
    return warehouse


def release_held_usage(warehouse: Path) -> tuple[str, ...]:
    """The sample holds one deliberately corrupt file. Held, it would keep the month from
    closing (check inputs_complete) until a person removed or released it: the demo releases
    it, as an operator would after looking."""
    held = reports.records(warehouse, "reports/held_inputs")
    return tuple(row["file_path"] for row in held if row["kind"] == "usage" and release_input(
        warehouse, "usage", row["file_path"], "demo: the sample's deliberately corrupt file"))


def run_the_month(sample: SampleSummary, warehouse: Path, period: str,
                  progress: Progress) -> DemoRuns:
    """Ingestion, then the period's rating and month close, then its finance, each a run of
    every asset and check the definitions load, selected by group."""
    rating = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                            warehouse=str(warehouse))
    resources = {"rating": rating, "odoo": odoo_resource_from_environment()}
    with (dg.DagsterInstance.get() as instance,
          local_app(warehouse, sample.catalog, default_state(warehouse)) as app):
        def run(*groups: str, partition_key: "str | None" = None,
                assets: "tuple[str, ...]" = ()) -> dg.ExecuteInProcessResult:
            selection = (dg.AssetSelection.assets(*assets) if assets
                         else dg.AssetSelection.groups(*groups))
            return dg.materialize([*ASSETS, *CHECKS], partition_key=partition_key,
                                  selection=selection, resources=resources, instance=instance,
                                  raise_on_error=False)

        with progress.step("1. ingestion (Dagster group ingestion)"):
            ingestion = run("ingestion")
        with progress.step("releasing the sample's corrupt file, as an operator would"):
            released = release_held_usage(warehouse)
        with progress.step("usage pushed through the billing API (fusion-rating serve)"):
            api = push_through_api(sample, warehouse, period)
        # As the sensor's rate_period run does: what landed since (the API's files) first.
        with progress.step(f"2. ingestion, rating {period}, checks, month close, posting"):
            month = run("ingestion", "rating", "month_close", partition_key=period)
        # The legacy billing and costs are derived from the rated month, so they land after it.
        with progress.step("sample legacy billing, provider costs and FX rates"):
            write_finance_sample(sample.landing, warehouse, period)
        with progress.step("3. dual run, margins, the analysts' copy"):
            finance = run("finance", partition_key=period)
        with progress.step("4. webhooks delivered to a local app (asset webhook_deliveries)"):
            webhooks = run(assets=("webhook_deliveries",))
        return DemoRuns(ingestion, month, finance, released, api, webhooks, app)


def print_ingestion(runs: DemoRuns, warehouse: Path) -> None:
    landed = runs.ingestion.asset_materializations_for_node("landed_usage")[0].metadata
    print(f"  1. ingestion #{landed['ingestion_id'].value} into the ledger "
          f"({ledger.default_folder(warehouse)}): {landed['files_new'].value} new file(s), "
          f"rows read {landed['rows_read'].value:,}: accepted "
          f"{landed['rows_accepted'].value:,}, superseded {landed['rows_superseded'].value:,}, "
          f"quarantined {landed['rows_quarantined'].value:,}")
    for path in runs.released:
        print(f"     held usage file {path}: unreadable_file; released by the demo "
              f"(fusion-rating release --warehouse {warehouse} --kind usage --file {path} "
              "--reason ...)")
    for held in reports.records(warehouse, "reports/held_inputs"):
        print(f"     held {held['kind']} file {held['file_path']}: {held['reason']}")


def print_rating(runs: DemoRuns, warehouse: Path, period: str) -> None:
    rated = next(m.metadata for m in runs.month.asset_materializations_for_node("rated_period")
                 if m.asset_key.to_user_string() == "usage_rollups")
    print(f"  2. rating {period} from the ledger: {rated['ledger_rows'].value:,} rows of "
          f"the period: rated {rated['rows_rated'].value:,}, held at rating "
          f"{rated['rows_held'].value:,}")
    print("  quarantined at ingestion or held at rating, by reason:")
    for row in reports.records(warehouse, "reports/quarantine_by_reason"):
        if row["rows"]:
            print(f"    {row['reason']:<26} {row['rows']:>8,}")
        if row["unreadable_files"]:
            print(f"    {row['reason']:<26} {row['unreadable_files']:>8,} file(s), not rows")
    print("  amount per service (rounded per line):")
    for row in reports.records(warehouse, "reports/service_totals", {"billing_period": period}):
        print(f"    {row['service']:<12} {row['invoices']:>5} invoices {row['lines']:>6} lines "
              f"{row['amount']:>14,} {row['currency']}")


def print_odoo(runs: DemoRuns, warehouse: Path, period: str) -> None:
    posting = runs.month.asset_materializations_for_node("odoo_posting")
    if not posting:
        return
    meta = posting[0].metadata
    print(f"  Odoo: {meta['mode'].value}: {meta['invoices'].value} invoices, posted "
          f"{meta['posted'].value}, already posted {meta['already_posted'].value}, held "
          f"{meta['held'].value}")
    for row in reports.records(warehouse, "odoo/reconciliation_statuses",
                               {"billing_period": period}):
        print(f"    reconciliation_odoo {row['status']:<15} {row['invoices']:>5} invoices "
              f"{row['rated']:>14,} CAD rated, difference {row['difference']}")


def print_finance(warehouse: Path, period: str, out: Path) -> None:
    print("  dual run against the legacy billing (reconciliation_legacy):")
    for row in reports.records(warehouse, "finance/margin_dual_run_classes",
                               {"billing_period": period}):
        print(f"    {row['class']:<17} {row['lines']:>6} lines  ours {row['our_amount']:>13,}  "
              f"legacy {row['legacy_amount']:>13,}  difference {row['difference']:,}")
    print("  margin and cut-over readiness (margin_monthly, cutover_readiness):")
    headline = margin_report.headline(warehouse, period)
    print("    " + margin_report.headline_text(headline).replace("\n", "\n    "))
    report = margin_report.write_report(warehouse, period, out / f"margin-{period}.html")
    print(f"  margin report: {report}")


def print_checks(runs: DemoRuns) -> None:
    for evaluation in [e for run in runs.all for e in run.get_asset_check_evaluations()]:
        warning = evaluation.severity == dg.AssetCheckSeverity.WARN
        state = "passed" if evaluation.passed else ("warning" if warning else "FAILED")
        print(f"  check {evaluation.asset_key.to_user_string()}.{evaluation.check_name}: "
              f"{state}")


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=Path("demo"))
    parser.add_argument("--period", default="2026-10")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    log_path = args.out / "demo.log"
    print(f"fusion-rating demo into {args.out} (Dagster's full log: {log_path})")
    with log_path.open("w", encoding="utf-8") as log:
        progress = Progress(log)
        with progress.step(f"sample month of {args.rows:,} rows"):
            # demo/ is the demo's own folder, and the finance sample adds files to its landing.
            sample = write_sample(args.out, args.rows, args.period, force=True)
            warehouse = fresh_warehouse(args.out)
        # A persistent instance (dagster_home/), so that `make ui` shows these runs and metadata.
        os.environ.setdefault("DAGSTER_HOME", str(Path(__file__).resolve().parent.parent
                                                  / "dagster_home"))
        set_up_odoo(sample.catalog)
        runs = run_the_month(sample, warehouse, args.period, progress)
    print_summary(runs, warehouse, args, log_path)
    return 0 if all(run.success for run in runs.all) else 1


def print_summary(runs: DemoRuns, warehouse: Path, args: argparse.Namespace,
                  log_path: Path) -> None:
    print(f"\nfusion-rating demo, period {args.period}")
    print_ingestion(runs, warehouse)
    print(api_summary(runs.api, args.out / "landing",
                      reports.records(warehouse, "reports/api_landed_usage")[0]))
    print_rating(runs, warehouse, args.period)
    print_odoo(runs, warehouse, args.period)
    print_finance(warehouse, args.period, args.out)
    print_checks(runs)
    delivered = runs.webhooks.asset_materializations_for_node("webhook_deliveries")
    print(webhooks_summary(runs.app, metadata_values(dict(delivered[0].metadata))
                           if delivered else {}))
    copy = runs.finance.asset_materializations_for_node("analyst_copy")
    print(f"  warehouse: {warehouse}; analysts: .venv/bin/duckdb -readonly "
          f"{copy[0].metadata['path'].value if copy else '(not published)'}")
    print(f"  Dagster's log of these runs: {log_path}")
    if not all(run.success for run in runs.all):
        print(f"  a run FAILED: its step's error is in {log_path} and in the UI")
    print("  UI: make ui, then http://127.0.0.1:3000 (these runs are in dagster_home/)")

if __name__ == "__main__":
    raise SystemExit(main())
