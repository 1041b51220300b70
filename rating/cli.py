"""The `fusion-rating` command line: the same code the Dagster assets run.

    fusion-rating ingest --landing DIR --catalog DIR --warehouse FILE [--rebuild]
    fusion-rating rate --landing DIR --catalog DIR --warehouse FILE --period YYYY-MM
    fusion-rating release --warehouse FILE --kind usage --file PATH --reason TEXT
    fusion-rating close --warehouse FILE --period YYYY-MM
    fusion-rating adjust --landing DIR --catalog DIR --warehouse FILE [--period YYYY-MM]
        [--dry-run] [--accept-changes] [--ignore-threshold] [--threshold AMOUNT]
        [--lookback N] [--current-references]
    fusion-rating post --warehouse FILE --period YYYY-MM [--catalog DIR] [--drafts-only]
        [--adjustments-only]
    fusion-rating odoo setup [--catalog DIR] [--apply]
    fusion-rating odoo invoice KEY
    fusion-rating odoo payments --warehouse FILE
    fusion-rating finance --landing DIR --catalog DIR --warehouse FILE --period YYYY-MM
    fusion-rating report margin --warehouse FILE --period YYYY-MM [--out FILE.html]
        [--time-zone TZ]
    fusion-rating sample --out DIR [--rows N] [--period YYYY-MM] [--seed N] [--clean] [--force]
    fusion-rating serve | service | key   the billing API and its keys (rating.cli_api)
    fusion-rating webhooks endpoints | endpoint | secret | list | retry | replay | deliver
        webhooks back to the apps (rating.cli_webhooks)

`post` and `odoo setup` talk to the Odoo named by ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD
(or ODOO_API_KEY with ODOO_TRANSPORT=json2); without ODOO_URL `post` is a dry run into the
odoo_outbox table. `post` exits 0 when every invoice is posted, 1 when some are held (listed,
and in odoo_postings), 2 when nothing was tried (a bad argument, an open period), 3 when Odoo
failed or is not set up (`odoo setup` says what is missing).

`odoo payments` reads Odoo's payment state of the posted invoices not yet paid, recording each
change with its invoice.payment_status_updated webhook event (docs/webhooks.md); it exits 0 when
read, 2 without ODOO_URL or --warehouse, 3 when Odoo failed.

`adjust` bills late usage of closed periods as revisions of their invoices (nightly: the
closed periods within FUSION_ADJUST_LOOKBACK; --period P: that one, on purpose); it exits 0
when it issued or had nothing to issue, 1 when something waits for a person or a posting, 2
on a bad argument or an open period, 3 out of memory, 4 when the guard stopped it.

Every command that writes the warehouse (ingest, rate, release, close, adjust, post, finance,
odoo payments) then refreshes the analysts' read-only copy, <warehouse>-analysts.duckdb, when it
succeeded (not after `adjust --dry-run`).

ingest, rate, finance, post and sample show their progress on stderr (a live display on a
terminal, else a timestamped line per step); -q shows none, -v each file or batch too. Their
results go to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from rating.catalog import CatalogError, load_catalog
from rating.cli_adjust import adjust_command
from rating.cli_api import key_command, serve_command, service_command
from rating.cli_args import build_parser
from rating.cli_odoo import odoo_command
from rating.cli_webhooks import webhooks_command
from rating.ingest.ledger import LedgerError
from rating.ingest.usage import HeldFile, IngestResult
from rating.progress import Progress, total_text
from rating.rate.engine import RateRequest
from rating.warehouse import WarehouseInUse, WarehouseSettings


def main(argv: list[str] | None = None) -> int:
    args = build_parser(__doc__).parse_args(argv)
    code = COMMANDS[args.command](args)
    # `odoo` writes the warehouse only as `odoo payments`, the one given --warehouse.
    if code in PUBLISHED_AFTER.get(args.command, ()) and not getattr(args, "dry_run", False) \
            and args.warehouse is not None:
        _publish_analyst_copy(args.warehouse)
    return code


# The commands that write the warehouse, and the exit codes after which it holds their work.
PUBLISHED_AFTER: dict[str, tuple[int, ...]] = {
    "ingest": (0,), "rate": (0,), "release": (0,), "close": (0,), "adjust": (0, 1, 4),
    "post": (0, 1), "finance": (0,), "odoo": (0,),
}


def _publish_analyst_copy(warehouse: Path) -> None:
    """What Dagster's analyst_copy asset does after a run, so that the copy analysts read is
    never older than the last command that wrote the warehouse."""
    from rating.finance.run import publish_analyst_copy

    try:
        print(f"  analysts' copy: {publish_analyst_copy(warehouse)}")
    except (OSError, duckdb.Error) as exc:
        print(f"fusion-rating: WARNING: the analysts' copy was not refreshed (it still holds "
              f"the previous run): {exc}", file=sys.stderr)


def _progress(args: argparse.Namespace) -> AbstractContextManager[Progress]:
    """The work's progress on stderr (rating.cli_progress), as -q / -v ask."""
    from rating.cli_progress import shown

    return shown(quiet=args.quiet, verbose=args.verbose)


def _request(args: argparse.Namespace, period: str = "2000-01") -> RateRequest:
    from rating.rate.guard import GuardSettings

    settings = WarehouseSettings(getattr(args, "threads", None),
                                 getattr(args, "memory_limit", None),
                                 getattr(args, "temp_directory", None))
    guard = GuardSettings(max_drop_percent=getattr(args, "max_drop", Decimal(5)),
                          accept_changes=getattr(args, "accept_changes", False))
    return RateRequest(landing=str(args.landing), catalog=args.catalog, warehouse=args.warehouse,
                       period=period, time_zone=args.time_zone, settings=settings,
                       ledger=args.ledger, guard=guard, rebuild=args.rebuild,
                       pushed_at_tolerance=dt.timedelta(hours=args.pushed_at_tolerance))


def _print_ingestion(result: IngestResult) -> None:
    if result.ingestion_id is None:
        print(f"ingested nothing new: {result.files_found:,} usage file(s) in the landing zone, "
              "all already in the ledger")
    else:
        print(f"ingestion #{result.ingestion_id}: {result.files_new:,} new file(s) "
              f"({result.files_unreadable:,} unreadable) of {result.files_found:,}, "
              f"{result.rows_read:,} rows: accepted {result.rows_accepted:,}, superseded "
              f"{result.rows_superseded:,}, quarantined {result.rows_quarantined:,}; "
              f"{result.earlier_rows_superseded:,} earlier row(s) superseded")
        # As usage_quarantine counts them: rows by reason (they add up to "quarantined"), and
        # an unreadable file as one row of its own without a row number, not as rows.
        by_reason = dict(result.quarantine_by_reason)
        unreadable = by_reason.pop("unreadable_file", 0)
        if by_reason:
            print("  quarantined rows by reason: " + ", ".join(
                f"{reason} {count:,}" for reason, count in by_reason.items()))
        if unreadable:
            print(f"  unreadable_file {unreadable:,}: file(s), not rows (one usage_quarantine "
                  "row each, without a row number)")
        for line in result.flagged.lines():
            print(f"  {line}")
    if result.rows_redecided:
        print(f"  {result.rows_redecided:,} quarantined row(s) decided again under the changed "
              "catalog")
    if result.periods:
        print(f"  periods changed: {', '.join(result.periods)}")
    _print_held(result.held)


def _print_held(held: tuple[HeldFile, ...]) -> None:
    for item in held:
        print(f"  HELD {item.kind} file {item.file_path}: {item.reason}: {item.detail}; "
              f"in force: {item.in_force}")


def _ingest(args: argparse.Namespace) -> int:
    from rating.rate.engine import ingest_landing

    try:
        with _progress(args) as progress:
            result = ingest_landing(_request(args), progress)
    except (CatalogError, ValueError, LedgerError) as exc:
        print(f"fusion-rating: nothing ingested: {exc}", file=sys.stderr)
        return 2
    _print_ingestion(result)
    return 0


def _release(args: argparse.Namespace) -> int:
    from rating.rate.engine import release_input

    try:
        released = release_input(args.warehouse, args.kind, args.file_path, args.reason)
    except ValueError as exc:
        print(f"fusion-rating: nothing released: {exc}", file=sys.stderr)
        return 2
    if not released:
        print(f"fusion-rating: {args.kind} file {args.file_path} is not held (see the "
              "held_inputs table)", file=sys.stderr)
        return 1
    print(f"released {args.kind} file {args.file_path}: this content is no longer held (its "
          "rows stay unused); the next ingestion or rating records it so")
    return 0


def _close(args: argparse.Namespace) -> int:
    from rating.rate.engine import close_period

    try:
        closed = close_period(args.warehouse, args.period, args.time_zone)
    except ValueError as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 2
    print(f"period {args.period}: {'closed' if closed else 'was already closed'}")
    return 0


def _post(args: argparse.Namespace) -> int:
    from rating.odoo import gateway as odoo
    from rating.odoo.posting import PeriodOpen, PostingFailed, PostingOptions, post_period

    journals = dict(item.split("=", 1) for item in args.journal)
    try:
        options = PostingOptions.for_catalog(
            load_catalog(args.catalog), post=not args.drafts_only,
            batch_size=args.batch_size, journals=journals,
            create_missing_products=not args.no_create_products,
            adjustments_only=args.adjustments_only)
        settings = odoo.settings_from_environment()
        gateway = odoo.connect(settings) if settings else None
        with _progress(args) as progress:
            report = post_period(args.warehouse, args.period, gateway, options,
                                 progress=progress)
    except (ValueError, PeriodOpen) as exc:
        print(f"fusion-rating: nothing posted: {exc}", file=sys.stderr)
        return 2
    except PostingFailed as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 3
    target = f"Odoo {settings.shown_url}" if settings else "dry run into odoo_outbox"
    print(f"{report.summary()} [{target}]")
    for note in report.notes:
        print(f"  note: {note}")
    for key, state, reason in report.held[:20]:
        print(f"  held {key}: {state}: {reason}")
    if len(report.held) > 20:
        print(f"  ... {len(report.held) - 20:,} more in odoo_postings")
    return 1 if report.held else 0


def _finance(args: argparse.Namespace) -> int:
    from rating.finance.run import FinanceRequest, run_finance

    try:
        with _progress(args) as progress:
            result = run_finance(FinanceRequest(
                landing=str(args.landing), catalog=args.catalog, warehouse=args.warehouse,
                period=args.period, tolerance=Decimal(args.tolerance),
                readiness_periods=args.readiness_periods, time_zone=args.time_zone), progress)
    except (CatalogError, ValueError, InvalidOperation) as exc:
        print(f"fusion-rating: nothing written: {exc}", file=sys.stderr)
        return 2
    landed = ", ".join(f"{kind} {n:,}" for kind, n in result.landed.items())
    print(f"period {result.period}: landed {landed}")
    for held in result.quarantined:
        print(f"  held {held.kind} {held.reason}: {held.rows:,}")
    single = result.currencies[0] if len(result.currencies) == 1 else None
    unit = f" {single}" if single else ""
    mixed = ", amounts of all currencies summed" if len(result.currencies) > 1 else ""
    print(f"  dual run (reconciliation_legacy{mixed}):")
    for c in result.classes:
        print(f"    {c.name:<17} {c.lines:>6,} lines  ours {c.our_amount:>14,}{unit}  "
              f"legacy {c.legacy_amount:>14,}{unit}  difference {c.difference:,}{unit}")
    print("  cut-over readiness (cutover_readiness):")
    for r in result.readiness:
        share = "n/a" if r.share_matched is None else f"{r.share_matched}%"
        print(f"    {r.service:<12} {r.matched_customers:>5} of {r.customers:<5} customers "
              f"matched ({share}) over {r.periods or 'no closed period'}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from rating.reports import margin as margin_report

    out = args.out or args.warehouse.with_name(f"margin-{args.period}.html")
    written = margin_report.report_path(out, args.period)
    # The page takes its name only once all the command reads was read: a report that fails
    # halfway leaves no page that looks whole (nor replaces a good one).
    partial = written.with_name(f"{written.name}.partial")
    time_zone = args.time_zone
    try:
        # Written first: it refuses (writing nothing) a period without data, saying what to run.
        margin_report.write_report(args.warehouse, args.period, partial, time_zone)
        table = margin_report.headline_text(margin_report.headline(args.warehouse, args.period))
        notes = margin_report.report_notes(args.warehouse, args.period, time_zone)
        partial.replace(written)
    except WarehouseInUse as exc:  # a writer kept it past the wait: who, and what to do
        print(f"fusion-rating: no margin report: {exc}", file=sys.stderr)
        return 2
    except (margin_report.NoMarginData, ValueError) as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 2
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        # A table, view or column this version reads is missing: no writer of this version
        # has opened the warehouse yet (each creates and upgrades what it lacks).
        source = args.warehouse.with_stem(args.warehouse.stem.removesuffix("-analysts"))
        print(f"fusion-rating: no margin report: {args.warehouse} lacks what this version "
              f"of fusion-rating reads ({str(exc).splitlines()[0]}): an earlier version wrote "
              f"it last; run `fusion-rating rate` or `fusion-rating finance` once with this "
              f"version on {source} to upgrade it (and its analysts' copy), then report again",
              file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        copy = args.warehouse.with_name(f"{args.warehouse.stem}-analysts.duckdb")
        print(f"fusion-rating: no margin report: cannot read {args.warehouse} now ("
              f"{str(exc).splitlines()[0]}); if a rate, finance or Dagster run is writing it, "
              f"wait for it to end, or report from the analysts' copy {copy}", file=sys.stderr)
        return 2
    finally:
        partial.unlink(missing_ok=True)
    print(table)
    for note in notes:
        print(f"  {note}")
    print(f"report: {written}")
    return 0


def _rate(args: argparse.Namespace) -> int:
    import duckdb

    from rating.rate.engine import RatingStopped, rate

    try:
        with _progress(args) as progress:
            result = rate(_request(args, args.period), progress)
    except (CatalogError, ValueError, LedgerError) as exc:
        print(f"fusion-rating: nothing rated: {exc}", file=sys.stderr)
        return 2
    except RatingStopped as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 4
    except duckdb.OutOfMemoryException as exc:
        print(f"fusion-rating: DuckDB ran out of memory under --memory-limit "
              f"{args.memory_limit or '(default)'}; the step it was in wrote nothing (an "
              "ingestion that finished before stays in the ledger); raise the limit or lower "
              f"--threads.\n  {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    _print_ingestion(result.ingestion)
    period = result.period
    print(f"period {period.period}: {period.rows_landed:,} ledger rows: accepted "
          f"{period.rows_accepted:,} (rated {period.rows_rated:,}, held {period.rows_held:,}), "
          f"superseded {period.rows_superseded:,}, quarantined {period.rows_quarantined:,}")
    if period.held_by_reason:
        print("  held at rating: " + ", ".join(
            f"{reason} {count:,}" for reason, count in period.held_by_reason))
    for change in period.reference_changes:
        before = "new" if change.rows_before is None else f"{change.rows_before:,} rows"
        after = "retired" if change.rows_after is None else f"{change.rows_after:,} rows"
        print(f"  {change.kind} file {change.file_path}: a new version is in force ({before} "
              f"-> {after})")
    _print_held(period.held_files)
    if period.closed:
        print(f"  period closed: its rated rows are unchanged; {period.late_rows:,} late "
              "row(s) are in late_usage")
    print(f"  {period.rated_lines:,} rated lines, {period.invoice_lines:,} invoice lines, "
          f"total {total_text(period.amount_by_currency, period.previous_total)} (rounded per "
          "line)")
    if period.guard_findings:
        print("  changes accepted (--accept-changes) although the guard objected:\n    "
              + period.guard_findings.replace("\n", "\n    "))
    if period.unpriced_lines:
        print(f"  WARNING: {period.unpriced_lines:,} rated line(s) have no price in force",
              file=sys.stderr)
    print(f"  {result.seconds:.2f} s, warehouse {args.warehouse}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from rating.samples.usage import write_sample

    try:
        with _progress(args) as progress:
            summary = write_sample(args.out, args.rows, args.period, args.seed,
                                   bad_rows=not args.clean, force=args.force,
                                   progress=progress)
    except ValueError as exc:
        print(f"fusion-rating: nothing written: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {summary.usage_rows:,} usage rows in {summary.usage_files:,} file(s) "
          f"({summary.bad_rows:,} deliberately bad, {summary.corrections:,} corrections, "
          f"{summary.corrupt_files} corrupt file(s))")
    print(f"  landing: {summary.landing}")
    print(f"  catalog: {summary.catalog}")
    return 0


# Each subcommand's handler: it prints its outcome and answers the exit code.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ingest": _ingest, "rate": _rate, "release": _release, "close": _close,
    "adjust": adjust_command, "post": _post, "odoo": odoo_command, "finance": _finance,
    "report": _report, "sample": _sample, "serve": serve_command, "service": service_command,
    "key": key_command, "webhooks": webhooks_command,
}


if __name__ == "__main__":
    raise SystemExit(main())
