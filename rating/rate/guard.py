"""The guard: a rated month changes only for a reason a person can see.

Inside the transaction that re-rates an open period (rating.rate.engine), the new invoices are
compared with the period's invoices as they stood. The rating stops, and the month stays as it
was, when the change needs a person:

- the period's total would fall by more than `max_drop_percent` (default 5%) of what it was;
- an invoice the period had (a customer and service) would vanish.

It then names what would vanish and why: input files held, reference files whose version
changed, subscriptions no longer in force (their reason and file), usage held by reason, a
changed catalog, ingestions since the last rating. `accept_changes` lets the change through;
the findings are recorded in rating_runs either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rating import warehouse
from rating.ingest.held import HeldFile
from rating.ingest.references import Change

SHOWN = 10
"""How many invoices, subscriptions or reasons a message lists before '... and N more'."""


@dataclass(frozen=True)
class GuardSettings:
    max_drop_percent: Decimal = Decimal(5)
    """The largest fall of the period's total, in percent, that needs no person."""
    accept_changes: bool = False
    """Write the new rating even when the guard objects (and record what it found)."""


@dataclass(frozen=True)
class Verdict:
    before: Decimal | None            # the period's total before this rating (None: unrated)
    after: Decimal
    objections: tuple[str, ...]       # why the change needs a person (empty: it does not)
    reasons: tuple[str, ...] = field(default=())  # what explains the change

    @property
    def text(self) -> str:
        lines = [*self.objections]
        if self.reasons:
            lines.append("why:")
            lines += [f"  {reason}" for reason in self.reasons]
        return "\n".join(lines)


class RatingStopped(RuntimeError):
    """The guard objected: nothing was written and the period stays as it was."""

    def __init__(self, period: str, verdict: Verdict) -> None:
        self.period = period
        self.verdict = verdict
        super().__init__(
            f"period {period} was not rated: the new result would replace the rated month.\n"
            f"{verdict.text}\n"
            "Nothing was written; the month stays as it was. Fix the input named above, or, "
            "if this change is right, rerun with --accept-changes (Dagster: run config "
            "accept_changes: true).")


@dataclass(frozen=True)
class Context:
    """What the run knows that the warehouse does not: files held and versions changed now."""

    held: Sequence[HeldFile]
    changes: Sequence[Change]
    catalog_fingerprint: str


def _money(amount: Decimal | None) -> str:
    return "nothing" if amount is None else f"{amount:,.2f}"


def _more(items: list[str], total: int) -> list[str]:
    return items + ([f"... and {total - len(items)} more"] if total > len(items) else [])


def judge(con: Any, params: dict[str, Any], settings: GuardSettings, context: Context
          ) -> Verdict:
    """Compare the period's new invoices (written in the open transaction) with the ones
    snapshotted before (guard/create_previous_*.sql)."""
    changes = warehouse.rows(con, "rate/guard/invoice_changes", params)
    had = [invoice for invoice in changes if invoice["before"] is not None]
    before = sum((invoice["before"] for invoice in had), Decimal(0)) if had else None
    after = sum((invoice["after"] for invoice in changes if invoice["after"] is not None),
                Decimal(0))
    if before is None:
        return Verdict(before=None, after=after, objections=())
    objections: list[str] = []
    if before > 0 and (before - after) * 100 > before * settings.max_drop_percent:
        objections.append(
            f"the total would fall from {_money(before)} to {_money(after)} "
            f"({(after - before) * 100 / before:+.1f}%, more than the "
            f"{settings.max_drop_percent}% allowed)")
    vanished = [invoice for invoice in had if invoice["after"] is None]
    if vanished:
        shown = [f"{invoice['customer_key']}/{invoice['service']} ({_money(invoice['before'])})"
                 for invoice in vanished[:SHOWN]]
        objections.append(f"{len(vanished)} of {len(had)} invoices would vanish: "
                          + ", ".join(_more(shown, len(vanished))))
    if not objections:
        return Verdict(before=before, after=after, objections=())
    return Verdict(before=before, after=after, objections=tuple(objections),
                   reasons=tuple(_reasons(con, params, context)))


def _reasons(con: Any, params: dict[str, Any], context: Context) -> list[str]:
    reasons: list[str] = []
    for held in context.held:
        reasons.append(f"{held.kind} file {held.file_path} is held ({held.reason}: "
                       f"{held.detail}); in force: {held.in_force}")
    for change in context.changes:
        before = "new" if change.rows_before is None else f"{change.rows_before} rows"
        after = "retired" if change.rows_after is None else f"{change.rows_after} rows"
        reasons.append(f"{change.kind} file {change.file_path}: a new version comes into force "
                       f"({before} -> {after})")
    lost = warehouse.rows(con, "rate/guard/lost_subscriptions", params)
    if lost:
        shown = [f"{sub['subscription_id']} ({sub['customer_key']}/{sub['service']}): "
                 + (f"held as {sub['reason']} in {sub['file_path']}" if sub["reason"]
                    else "in no file in force")
                 for sub in lost[:SHOWN]]
        reasons.append(f"{len(lost)} subscription(s) that rated the period are no longer in "
                       "force: " + "; ".join(_more(shown, len(lost))))
    held_rows = warehouse.rows(con, "rate/held_by_reason")
    if held_rows:
        reasons.append("usage rows of the period held at rating: " + ", ".join(
            f"{row['reason']} {int(row['row_count']):,}" for row in held_rows))
    last = warehouse.first_row(con, "rate/guard/last_rating", params)
    if last is not None:
        if last["catalog_fingerprint"] != context.catalog_fingerprint:
            reasons.append(f"the catalog changed since the period was last rated "
                           f"({last['finished_at']:%Y-%m-%d %H:%M} UTC)")
        since = warehouse.rows(con, "rate/guard/ingestions_since",
                               {**params, "since": last["through_ingestion_id"] or 0})
        if since:
            reasons.append(f"{len(since)} ingestion(s) since the last rating changed the "
                           "period's rows: " + ", ".join(
                               f"#{ingestion['ingestion_id']} ({ingestion['rows_read']:,} "
                               f"rows, {ingestion['earlier_rows_superseded']:,} earlier rows "
                               "superseded)" for ingestion in since[:SHOWN]))
    return reasons or ["nothing in the inputs explains it: compare rated_charges with "
                       "the previous rating"]
