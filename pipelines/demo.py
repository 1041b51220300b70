"""The README's main job: a sample month, the whole graph materialized in process on the
embedded defaults (rating, checks, month close, posting to Odoo), and a short summary.

Posting is a dry run into odoo_outbox unless ODOO_URL (and its credentials) is set: then the
sample's invoices are posted to that Odoo (docs/odoo.md). Then sample legacy billing, provider
costs and FX rates land (derived from the rated month, with planted differences), the finance
assets run the dual run and the margins, the analysts' copy is published and the margin report
is written (docs/margin.md). Each demo starts a fresh warehouse.

    python -m pipelines.demo [--rows 200000] [--out demo] [--period 2026-10]
"""

import argparse
import os
import shutil
from pathlib import Path

import dagster as dg

from pipelines.definitions import ASSETS, CHECKS
from pipelines.resources import RatingResource, odoo_resource_from_environment
from rating.catalog import load_catalog
from rating.ingest import ledger
from rating.odoo import setup as odoo_setup
from rating.odoo.gateway import connect, settings_from_environment
from rating.rate.engine import release_input
from rating.reports import margin as margin_report
from rating.reports import queries as reports
from rating.samples.finance import write_finance_sample
from rating.samples.usage import write_sample


def set_up_odoo(catalog: Path) -> None:
    """With ODOO_URL, do what `fusion-rating odoo setup --apply` does for the sample's catalog
    (posting refuses an Odoo that is not set up): the demo posts into a test Odoo."""
    settings = settings_from_environment()
    if settings is None:
        return
    gateway = connect(settings)
    done, steps = odoo_setup.apply(gateway, odoo_setup.Needs.for_catalog(load_catalog(catalog)))
    print(f"Odoo setup at {settings.url}: {len(done)} change(s) made; "
          f"{sum(s.status != 'ok' for s in steps)} step(s) not ok"
          + "".join(f"\n  {s.describe()}" for s in steps if s.status != "ok"))


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=Path("demo"))
    parser.add_argument("--period", default="2026-10")
    args = parser.parse_args(argv)

    sample = write_sample(args.out, args.rows, args.period)
    warehouse = args.out / "warehouse.duckdb"
    for stale in (warehouse, Path(f"{warehouse}.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(ledger.default_folder(warehouse), ignore_errors=True)
    resource = RatingResource(landing=str(sample.landing), catalog=str(sample.catalog),
                              warehouse=str(warehouse))
    # A persistent instance (dagster_home/), so that `make ui` shows these runs and metadata.
    os.environ.setdefault("DAGSTER_HOME", str(Path(__file__).resolve().parent.parent
                                              / "dagster_home"))
    set_up_odoo(sample.catalog)
    with dg.DagsterInstance.get() as instance:
        everything = [*ASSETS, *CHECKS]
        resources = {"rating": resource, "odoo": odoo_resource_from_environment()}
        ingestion = dg.materialize(everything, selection=dg.AssetSelection.groups("ingestion"),
                                   resources=resources, instance=instance, raise_on_error=False)
        # The sample holds one deliberately corrupt file. Held, it would keep the month from
        # closing (check inputs_complete) until a person removed or released it: the demo
        # releases it, as an operator would after looking.
        released = [path for kind, path, *_ in reports.query(warehouse, "reports/held_inputs")
                    if kind == "usage" and release_input(
                        warehouse, kind, path, "demo: the sample's deliberately corrupt file")]
        result = dg.materialize(everything, partition_key=args.period,
                                selection=dg.AssetSelection.groups("rating", "month_close"),
                                resources=resources, instance=instance, raise_on_error=False)
        # The legacy billing and costs are derived from the rated month, so they land after it.
        write_finance_sample(sample.landing, warehouse, args.period)
        money = dg.materialize(everything, partition_key=args.period,
                               selection=dg.AssetSelection.groups("finance"),
                               resources=resources, instance=instance, raise_on_error=False)
    landed = ingestion.asset_materializations_for_node("landed_usage")[0].metadata
    print(f"\nfusion-rating demo, period {args.period}")
    print(f"  1. ingestion #{landed['ingestion_id'].value} into the ledger "
          f"({ledger.default_folder(warehouse)}): {landed['files_new'].value} new file(s), "
          f"rows read {landed['rows_read'].value:,}: accepted "
          f"{landed['rows_accepted'].value:,}, superseded {landed['rows_superseded'].value:,}, "
          f"quarantined {landed['rows_quarantined'].value:,}")
    for path in released:
        print(f"     held usage file {path}: unreadable_file; released by the demo "
              f"(fusion-rating release --warehouse {warehouse} --kind usage --file {path} "
              "--reason ...)")
    for kind, path, reason, _, _ in reports.query(warehouse, "reports/held_inputs"):
        print(f"     held {kind} file {path}: {reason}")
    rollups = result.asset_materializations_for_node("rated_period")
    rated = next(m.metadata for m in rollups if m.asset_key.to_user_string() == "usage_rollups")
    print(f"  2. rating {args.period} from the ledger: {rated['ledger_rows'].value:,} rows of "
          f"the period: rated {rated['rows_rated'].value:,}, held at rating "
          f"{rated['rows_held'].value:,}")
    print("  quarantined at ingestion or held at rating, by reason:")
    for reason, count in reports.query(warehouse, "reports/quarantine_by_reason"):
        print(f"    {reason:<26} {count:>8,}")
    print("  amount per service (rounded per line):")
    for service, invoices, lines, amount, currency in reports.query(
            warehouse, "reports/service_totals", {"billing_period": args.period}):
        print(f"    {service:<12} {invoices:>5} invoices {lines:>6} lines {amount:>14,} "
              f"{currency}")
    posting = result.asset_materializations_for_node("odoo_posting")
    if posting:
        meta = posting[0].metadata
        print(f"  Odoo: {meta['mode'].value}: {meta['invoices'].value} invoices, posted "
              f"{meta['posted'].value}, already posted {meta['already_posted'].value}, held "
              f"{meta['held'].value}")
        for status, invoices, rated, difference in reports.query(
                warehouse, "odoo/reconciliation_statuses", {"billing_period": args.period}):
            print(f"    reconciliation_odoo {status:<15} {invoices:>5} invoices "
                  f"{rated:>14,} CAD rated, difference {difference}")
    print("  dual run against the legacy billing (reconciliation_legacy):")
    for klass, lines, ours, legacy, difference in reports.query(
            warehouse, "finance/margin_dual_run_classes", {"billing_period": args.period}):
        print(f"    {klass:<17} {lines:>6} lines  ours {ours:>13,}  legacy {legacy:>13,}  "
              f"difference {difference:,}")
    print("  margin and cut-over readiness (margin_monthly, cutover_readiness):")
    headline = margin_report.headline(warehouse, args.period)
    print("    " + margin_report.headline_text(headline).replace("\n", "\n    "))
    report = margin_report.write_report(warehouse, args.period,
                                        args.out / f"margin-{args.period}.html")
    print(f"  margin report: {report}")
    for evaluation in [*ingestion.get_asset_check_evaluations(),
                       *result.get_asset_check_evaluations(),
                       *money.get_asset_check_evaluations()]:
        warning = evaluation.severity == dg.AssetCheckSeverity.WARN
        state = "passed" if evaluation.passed else ("warning" if warning else "FAILED")
        print(f"  check {evaluation.asset_key.to_user_string()}.{evaluation.check_name}: "
              f"{state}")
    copy = money.asset_materializations_for_node("analyst_copy")
    print(f"  warehouse: {warehouse}; analysts: duckdb -readonly "
          f"{copy[0].metadata['path'].value if copy else '(not published)'}")
    print("  UI: make ui, then http://127.0.0.1:3000 (these runs are in dagster_home/)")
    return 0 if ingestion.success and result.success and money.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
