"""`fusion-rating adjust`: ingest what is new, then bill the late usage of closed periods as
revisions of their invoices (rating.adjust.service), and say per invoice what was issued and
what waits, and why. Apart from cli.py, which is near its size limit."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import InvalidOperation

import duckdb

from rating.adjust.service import (
    AdjustmentUnbalanced,
    AdjustPeriodsRequest,
    AdjustPeriodsResult,
    PeriodAdjusted,
)
from rating.catalog import CatalogError
from rating.ingest.ledger import LedgerError
from rating.warehouse import WarehouseSettings

KINDS = {"supplementary_invoice": "supplementary invoice", "credit_note": "credit note"}


def adjust_command(args: argparse.Namespace) -> int:
    from rating.adjust.run import AdjustSettings
    from rating.adjust.service import adjust_periods
    from rating.cli_progress import shown

    if args.settle is not None or args.reason is not None:
        refused = settle_command(args)
        if refused is not None:
            return refused
    try:
        settings = AdjustSettings.from_environment()
        settings = AdjustSettings(
            threshold=settings.threshold if args.threshold is None else args.threshold,
            lookback=settings.lookback if args.lookback is None else args.lookback,
            guard=settings.guard, delivery=settings.delivery)
        request = AdjustPeriodsRequest(
            landing=str(args.landing), catalog=args.catalog, warehouse=args.warehouse,
            period=args.period, time_zone=args.time_zone,
            warehouse_settings=WarehouseSettings(args.threads, args.memory_limit,
                                                 args.temp_directory),
            ledger=args.ledger, pushed_at_tolerance=dt.timedelta(hours=args.pushed_at_tolerance),
            dry_run=args.dry_run, accept_changes=args.accept_changes,
            ignore_threshold=args.ignore_threshold,
            current_references=args.current_references, settings=settings)
        with shown(quiet=args.quiet, verbose=args.verbose) as progress:
            result = adjust_periods(request, progress)
    except AdjustmentUnbalanced as exc:
        print(f"fusion-rating: {exc}", file=sys.stderr)
        return 4
    except (CatalogError, ValueError, InvalidOperation, LedgerError) as exc:
        print(f"fusion-rating: nothing adjusted: {exc}", file=sys.stderr)
        return 2
    except duckdb.OutOfMemoryException as exc:
        print(f"fusion-rating: DuckDB ran out of memory under --memory-limit "
              f"{args.memory_limit or '(default)'}; the period it was adjusting wrote nothing "
              "(periods adjusted before it stay); raise the limit or lower --threads.\n  "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    print_result(result)
    if result.stopped_by_guard:
        return 4
    return 1 if result.needs_a_person else 0


def print_result(result: AdjustPeriodsResult) -> None:
    ingested = result.ingestion
    print("ingested nothing new" if ingested.ingestion_id is None else
          f"ingestion #{ingested.ingestion_id}: {ingested.files_new:,} new file(s), "
          f"{ingested.rows_read:,} rows (accepted {ingested.rows_accepted:,}); periods "
          f"changed: {', '.join(ingested.periods) or 'none'}")
    if not result.periods:
        print("no closed period to adjust")
    for period in result.periods:
        _print_period(period)
    for stranded in result.stranded:
        print(f"period {stranded.period}, beyond the lookback and not re-rated: pending, "
              f"{stranded.why.replace('_', ' ')}: {stranded.amount:+,.2f} on "
              f"{stranded.lines:,} line(s); `fusion-rating adjust --period {stranded.period}` "
              "bills it")
    if result.dry_run:
        print("dry run: nothing was issued or recorded (each period's run was rolled back)")
    print(f"  {result.seconds:.2f} s")


def _print_period(period: PeriodAdjusted) -> None:
    adjusted, rerated = period.adjustment, period.rerate
    figures = ("not touched since its last run: not re-rated" if rerated is None else
               f"re-rated {rerated.rows_rerated:,} rows (held {rerated.rows_held:,}), "
               f"{rerated.lines:,} lines")
    print(f"period {period.period} ({adjusted.mode}, closed period "
          f"{adjusted.lookback_position} counting back): {adjusted.outcome.replace('_', ' ')}; "
          f"{figures}; {period.seconds:.2f} s")
    for document in period.documents:
        revision = document.revision
        kind = KINDS.get(revision.document_kind, revision.document_kind)
        print(f"  {revision.adjustment_key}: {kind}, revision {revision.revision}, net "
              f"{revision.amount_net:+,.2f} {revision.currency} (document "
              f"{revision.amount_document:,.2f} {revision.currency}), "
              f"{revision.reason.replace('_', ' ')}")
        for line in document.lines:
            print(f"    {line.description}: {line.old_amount:,.2f} → {line.new_amount:,.2f} "
                  f"({line.amount_delta:+,.2f})")
        print(f"    source files: {', '.join(revision.source_files) or '(none)'}")
        if revision.delivery_note:
            print(f"    delivered {revision.delivery_note}")
    for pending in adjusted.pending:
        print(f"  pending, {pending.why.value.replace('_', ' ')}: {pending.amount:+,.2f} on "
              f"{pending.lines:,} line(s) of {pending.invoices:,} invoice(s)")
    if adjusted.findings:
        print("  found: " + adjusted.findings.replace("\n", "\n    "))
    for held in period.held_usage:
        late = (f", {held.late_rows:,} of them late ({', '.join(held.late_files)})"
                if held.late_rows else "")
        print(f"  held usage, {held.reason.replace('_', ' ')}: {held.rows:,} row(s){late}")
    if period.late_held_rows:
        print(f"  {period.late_held_rows:,} late row(s) held, unbilled: no subscription or "
              "account link covers them as the period stood; if they should be billed, fix "
              f"the references, then `fusion-rating adjust --period {period.period} "
              "--current-references`")



def settle_command(args: argparse.Namespace) -> int | None:
    """`--settle KEY --reason TEXT`: settle the invoice, print what it did; the exit code
    when it is refused (nothing written), None to go on adjusting the period."""
    from rating.adjust.settle import CannotSettle, SettleRequest, settle_invoice
    from rating.odoo import gateway as odoo

    if args.settle is None or args.reason is None or args.period is None:
        print("fusion-rating: nothing settled: --settle KEY needs --period P and --reason TEXT",
              file=sys.stderr)
        return 2
    try:
        settings = odoo.settings_from_environment()
        if settings is None:
            raise CannotSettle("settling reads what Odoo billed; set ODOO_URL (and ODOO_DB and "
                               "the credentials)")
        settled = settle_invoice(SettleRequest(
            warehouse=args.warehouse, period=args.period, invoice_key=args.settle,
            reason=args.reason, time_zone=args.time_zone, dry_run=args.dry_run),
            odoo.connect(settings))
    # As adjusting does: CannotSettle, WarehouseInUse (a writer kept the warehouse past the
    # wait) and Odoo settings refused are all ValueErrors.
    except (ValueError, odoo.OdooError, odoo.OdooUnreachable) as exc:
        print(f"fusion-rating: nothing settled: {exc}", file=sys.stderr)
        return 2
    documents = ", ".join(d.move.number or f"Odoo move {d.move.id}" for d in settled.settled)
    kind = KINDS.get(settled.kind.value, "") if settled.kind is not None else ""
    print(f"settled {settled.invoice_key} ({documents}): Odoo billed {settled.old_amount:,.2f}, "
          f"rated {settled.new_amount:,.2f}: " + (
              f"{kind} {settled.adjustment_key or '(dry run)'}, net {settled.net:+,.2f}"
              if settled.kind is not None else "nets to zero, no document"))
    for line in settled.lines:
        print(f"    {line.product_code}: {line.old_amount:,.2f} → {line.new_amount:,.2f} "
              f"({line.amount_delta:+,.2f})")
    return None
