"""Post a period's invoices to Odoo, once, and read them back (docs/odoo.md).

Exactly one Odoo invoice per key (`<customer>/<service>/<period>`, written in the move's
custom field `x_fc_billing_key`, which the customer does not see; invoices posted before it
existed carry the key in `ref` and are found there too), whatever was interrupted before: every
batch first searches Odoo for its keys, and only a key Odoo does not hold is created. The ledger
(`odoo_postings`) records each step; Odoo decides what exists.

A run starts by planning what the period's invoices need from Odoo (rating.odoo.setup: the key
field, units, income accounts, categories, analytic accounts, journals, payment terms) and
stops, naming what is missing, before any invoice when something is. Per batch:

1. search the keys' moves; classify each invoice: new, draft (same or changed content), posted
   (skipped, or flagged if our content changed: never edited), duplicate, cancelled;
2. resolve partners (by `ref`), products (by `default_code`) and journals, creating the missing
   partners and products the same search-first way;
3. create the new invoices in one call; when Odoo refuses the call, split it in halves until the
   invoice it refuses is alone (held as `rejected`), so one bad invoice blocks no other;
4. rewrite changed drafts, read every draft's `amount_untaxed` back: a difference from our total
   leaves it in draft (`amount_mismatch`); post the others in one `action_post` (split the same
   way);
5. read back number and state.

Odoo not answering (after the gateway's retries of reads) stops the run with `PostingFailed`,
naming what was and was not posted; the next run resumes from Odoo's state.

Adjustments issued for the period (period_adjustments, issue 13: supplementary invoices and
credit notes linked to the invoice they correct) are posted after its invoices, the same way,
under their own keys (rating.odoo.sources).

Where: what to do with each key is decided in rating.odoo.plan (pure), done by
rating.odoo.runner with Odoo's invoices through rating.odoo.moves, and written down in
rating.odoo.ledger (odoo_postings, odoo_outbox, reconciliation_odoo).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rating import warehouse
from rating.adjust.documents import ADJUSTMENTS
from rating.odoo.documents import Unpostable, documents
from rating.odoo.gateway import Gateway, OdooError, OdooUnreachable
from rating.odoo.ledger import PostingReport, write_outbox, write_reconciliation
from rating.odoo.options import PostingOptions
from rating.odoo.payload import InvoiceDocument
from rating.odoo.plan import PostingState
from rating.odoo.runner import PostingRun, chunks
from rating.odoo.setup import NOT_SET_UP
from rating.odoo.sources import INVOICES, DocumentSource
from rating.periods import billing_period
from rating.progress import SILENT, Progress, count

# Moved out, still named here for the callers of posting (cli, assets, bench, tests).
__all__ = ["PeriodOpen", "PostingFailed", "PostingOptions", "PostingReport", "PostingRun",
           "Unpostable", "documents", "post_period"]


class PeriodOpen(RuntimeError):
    """Posting was asked for a period that is not closed: its invoices may still change."""


class PostingFailed(RuntimeError):
    """Odoo stopped answering: the message names what was and was not posted."""

    def __init__(self, message: str, report: PostingReport) -> None:
        super().__init__(message)
        self.report = report


def post_period(database: Path | str, period: str, gateway: Gateway | None,
                options: PostingOptions | None = None,
                settings: warehouse.WarehouseSettings | None = None,
                progress: Progress = SILENT) -> PostingReport:
    """Post the period's invoice_lines, then the adjustments issued for it (a dry run into
    odoo_outbox when `gateway` is None) and rewrite reconciliation_odoo for the period; each
    step reported to `progress`."""
    options = options or PostingOptions()
    billing_period(period)  # validates the code
    with warehouse.writer(database, settings) as con:
        warehouse.create_schema(con)
        with progress.step(f"{period}'s invoices") as step:
            sources = [(source, source.keys(con, period)) for source in (
                (ADJUSTMENTS,) if options.adjustments_only else (INVOICES, ADJUSTMENTS))]
            keys = [key for _, source_keys in sources for key in source_keys]
            adjustments = len(sources[-1][1])
            step.report(f"{count(len(keys) - adjustments, 'invoices')} to post" + (
                f" and {count(adjustments, 'adjustments')}" if adjustments else ""))
        if gateway is None:
            return _dry_run(con, period, sources, options, progress)
        if options.post and not warehouse.value(con, "rate/period_closed",
                                                {"billing_period": period}):
            raise PeriodOpen(f"{period} is still open: invoices are posted once the period is "
                             f"closed (close it first, or post drafts only)")
        run = PostingRun(con, gateway, period, options)
        try:
            return run.run(sources, progress)
        except (OdooUnreachable, OdooError) as exc:
            raise _failed(run, exc, len(keys)) from None


def _failed(run: PostingRun, exc: OdooUnreachable | OdooError, invoices: int) -> PostingFailed:
    if isinstance(exc, OdooError) and exc.name == NOT_SET_UP:
        return PostingFailed(f"nothing posted for {run.period}: {exc}", run.report)
    what = ("stopped answering" if isinstance(exc, OdooUnreachable)
            else "refused a call every invoice needs")
    return PostingFailed(
        f"Odoo {what} ({exc}) while posting {run.period}: "
        f"{run.ledger.count(PostingState.POSTED)} of {invoices} invoices are posted "
        f"(odoo_postings), {invoices - run.finished} were not finished; nothing was posted "
        f"twice, run again to resume.", run.report)


def _dry_run(con: Any, period: str, sources: list[tuple[DocumentSource, list[str]]],
             options: PostingOptions, progress: Progress) -> PostingReport:
    keys = [(source, key) for source, source_keys in sources for key in source_keys]
    report = PostingReport(period, dry_run=True, invoices=len(keys))
    with (progress.step("writing odoo_outbox (dry run)", total=len(keys),
                        unit="invoices") as step,
          warehouse.transaction(con)):
        warehouse.run(con, "odoo/delete_period_outbox", {
            "billing_period": period, "adjustments_only": options.adjustments_only})
        for batch in chunks(keys, options.batch_size):
            rows: list[dict[str, Any]] = []
            for doc in _documents(con, period, batch, options):
                if isinstance(doc, InvoiceDocument):
                    rows.append(_outbox_row(doc))
                    report.count(PostingState.DRY_RUN)
                else:
                    rows.append({"invoice_key": doc.key, "customer_key": doc.customer,
                                 "service": doc.service, "content_hash": "",
                                 "amount_untaxed": None, "line_count": 0, "payload": None,
                                 "problem": doc.problem})
                    report.hold(doc.key, PostingState.NOT_POSTABLE, doc.problem)
            write_outbox(con, period, rows)
            step.advance(len(batch))
            step.detail(f"{step.done:,} of {len(keys):,} invoices written")
        write_reconciliation(con, period, dry_run=True)
        step.report(f"{count(len(keys), 'invoices')}, {len(report.held):,} not postable")
    return report


def _documents(con: Any, period: str, batch: list[tuple[DocumentSource, str]],
               options: PostingOptions) -> list[InvoiceDocument | Unpostable]:
    """A batch of the dry run (it may hold keys of both sources), at the options' precision."""
    found: list[InvoiceDocument | Unpostable] = []
    for source in dict.fromkeys(source for source, _ in batch):
        found += source.build(con, period, [key for s, key in batch if s is source], options,
                              lambda _: options.precision)
    return found


def _outbox_row(doc: InvoiceDocument) -> dict[str, Any]:
    return {"invoice_key": doc.key, "customer_key": doc.customer.ref, "service": doc.service,
            "content_hash": doc.content_hash, "amount_untaxed": doc.untaxed,
            "line_count": len(doc.lines), "payload": json.dumps(doc.as_json()),
            "problem": None}

