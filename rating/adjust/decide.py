"""Whether one invoice's difference becomes a document now, decided from what is known of it:
no warehouse, no Odoo (like rating.odoo.plan).

A closed period re-rated from the ledger is compared, line by line, with what was invoiced
(the original invoice and every revision issued since). Per invoice key with a line whose
amount differs, `decide` answers:

- `Issue`: revision n+1, a supplementary invoice when the net amount went up, a credit note
  when it went down (the amount decides, never the quantity);
- `Pending`: kept and reported in pending_adjustments with why, never dropped; the next run
  computes it again from the same tables, so it is issued once its reason is gone.

The checks run in the order of the design (docs/adjustments.md): a period beyond the lookback,
a problem of the whole period (catalog changed, no snapshot, guard, unpriced charges), the
original or a revision changed in Odoo after posting, a credit with nothing in Odoo to reverse
(going up without an original is billed by a supplementary invoice standing alone, which a
later credit note reverses), the original
invoice not posted, an earlier revision not posted, a net of zero, a net below the
threshold. `judge_period` is the guard of the adjust run, on the period's totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rating.rate.guard import GuardSettings


class Why(StrEnum):
    """Why a difference is pending (pending_adjustments.why)."""

    BELOW_THRESHOLD = "below_threshold"
    NET_ZERO = "net_zero"
    BEYOND_LOOKBACK = "beyond_lookback"
    EARLIER_REVISION_NOT_POSTED = "earlier_revision_not_posted"
    ORIGINAL_NOT_POSTED = "original_not_posted"
    ORIGINAL_CHANGED_AFTER_POSTING = "original_changed_after_posting"
    NO_ORIGINAL_INVOICE = "no_original_invoice"
    HELD_USAGE = "held_usage"
    CATALOG_CHANGED = "catalog_changed"
    NO_SNAPSHOT = "no_snapshot"
    GUARD = "guard"
    UNPRICED = "unpriced"

    @property
    def carried(self) -> bool:
        """Waits for nobody: issued on its own once it crosses the threshold (or never needs
        a document); any other why needs a person or a posting first."""
        return self in (Why.BELOW_THRESHOLD, Why.NET_ZERO)


class DocumentKind(StrEnum):
    SUPPLEMENTARY_INVOICE = "supplementary_invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class KeyDifference:
    """What is known of one invoice key when the run compares it.

    deltas: each differing line's re-rated amount less what was invoiced, in cents.
    revisions_issued: the key's latest revision (0: only the original).
    has_original: the period's invoices had this key when it closed. Without one (all of
        the customer's usage of the service came late) a revision going up is a supplementary
        invoice standing alone, linked to nothing.
    has_standalone_revision: without an original, the key has a supplementary invoice of its
        own (delivered separately): a credit note reverses the first one, and the key is then
        treated as one with an original (its revisions posted first, the threshold). A credit
        before any is kept pending and netted against the period's later usage.
    changed_after_posting: Odoo's original or one of its revisions no longer holds what we
        posted (a person changed it): the deltas, computed against what we invoiced, could
        credit more than Odoo billed, so the key waits for a person.
    """

    invoice_key: str
    currency: str
    deltas: tuple[Decimal, ...]
    original_posted: bool
    revisions_issued: int
    revisions_posted: bool
    unpriced: bool = False
    has_original: bool = True
    has_standalone_revision: bool = False
    changed_after_posting: bool = False

    @property
    def net(self) -> Decimal:
        return sum(self.deltas, Decimal("0.00"))


@dataclass(frozen=True)
class PeriodState:
    """What holds the whole period, whichever key.

    beyond_lookback: the period is older than the lookback and the run is not on purpose.
    hold: a problem found before comparing ('catalog_changed', 'no_snapshot'), with its text.
    guard_objections: what the guard found (`judge_period`); empty: nothing, or accepted.
    threshold: the smallest |net| that makes a document (0: every cent).
    """

    beyond_lookback: bool = False
    lookback_detail: str = ""
    hold: tuple[Why, str] | None = None
    guard_objections: tuple[str, ...] = ()
    threshold: Decimal = Decimal("1.00")


@dataclass(frozen=True)
class Issue:
    """Revision `revision` of the key, of `kind`; `lines` are the amounts the document shows,
    line by line (a credit note credits each delta negated; zero deltas stay off it)."""

    kind: DocumentKind
    revision: int
    net: Decimal
    lines: tuple[Decimal, ...]

    @property
    def amount_document(self) -> Decimal:
        """The document's untaxed total, never negative."""
        return sum(self.lines, Decimal("0.00"))


@dataclass(frozen=True)
class Pending:
    why: Why
    detail: str


Decision = Issue | Pending | None
"""None: no line's amount differs (a quantity within the included units, a duplicate key)."""


def decide(key: KeyDifference, period: PeriodState) -> Decision:
    """Issue the key's next revision, or say why its difference waits."""
    if not any(key.deltas):
        return None
    net = key.net
    money = f"{net:+,.2f} {key.currency}"
    if period.beyond_lookback:
        return Pending(Why.BEYOND_LOOKBACK, f"{money} {period.lookback_detail}".rstrip())
    if period.hold is not None:
        why, text = period.hold
        return Pending(why, f"{money} held: {text}")
    if key.unpriced:
        return Pending(Why.UNPRICED, f"{money} held: a re-rated charge of {key.invoice_key} has "
                                     "no price in force")
    if period.guard_objections:
        return Pending(Why.GUARD, f"{money} held by the guard: "
                                  + "; ".join(period.guard_objections))
    if key.changed_after_posting:
        return Pending(Why.ORIGINAL_CHANGED_AFTER_POSTING,
                       f"{money} held: Odoo's {key.invoice_key} (or a revision of it) was "
                       "changed after we posted it, so the difference is not against what "
                       "Odoo billed; `fusion-rating adjust --period P --settle "
                       f"{key.invoice_key} --reason TEXT` settles it")
    if not key.has_original and not key.has_standalone_revision and net < 0:
        return Pending(Why.NO_ORIGINAL_INVOICE,
                       f"{money} kept: {key.invoice_key} had no invoice at the close and "
                       "none has been issued since, so there is nothing in Odoo for a credit "
                       "note to reverse; it is netted against the period's later usage of "
                       "the service (nothing to do in Odoo)")
    if key.has_original and not key.original_posted:
        return Pending(Why.ORIGINAL_NOT_POSTED,
                       f"{money} waits for {key.invoice_key} to be posted")
    if not key.revisions_posted:
        return Pending(Why.EARLIER_REVISION_NOT_POSTED,
                       f"{money} waits for {key.invoice_key}/r{key.revisions_issued} "
                       "(or an earlier revision) to be posted")
    if net == 0:
        return Pending(Why.NET_ZERO, "the lines' changes cancel out: no document")
    if abs(net) < period.threshold:
        return Pending(Why.BELOW_THRESHOLD,
                       f"{money} below the threshold of {period.threshold:,.2f}: carried "
                       "forward")
    kind = DocumentKind.SUPPLEMENTARY_INVOICE if net > 0 else DocumentKind.CREDIT_NOTE
    credit = kind is DocumentKind.CREDIT_NOTE
    return Issue(kind=kind, revision=key.revisions_issued + 1, net=net,
                 lines=tuple(-delta if credit else delta for delta in key.deltas if delta))


def period_hold(*, fingerprint_matches: bool | None, from_snapshot: bool,
                current_references: bool, accept_changes: bool) -> tuple[Why, str] | None:
    """What the re-rate's own findings hold (rating.adjust.rerate.RerateResult): the catalog
    rows the period uses changed since it was rated, or it had no snapshot of its references
    and was re-rated with today's without being asked to; `accept_changes` (adjust --period P
    --accept-changes) lets either through."""
    if accept_changes:
        return None
    if not from_snapshot and not current_references:
        return (Why.NO_SNAPSHOT, "the period was rated before its references were kept, so it "
                "was re-rated with today's; `fusion-rating adjust --period P --accept-changes` "
                "bills it once checked")
    if fingerprint_matches is False:
        return (Why.CATALOG_CHANGED, "the catalog's prices or charges for the period changed "
                "since it was rated; `fusion-rating adjust --period P --accept-changes` bills "
                "the difference once checked")
    return None


def judge_period(invoiced: Decimal, rerated: Decimal, vanished: Sequence[str],
                 settings: GuardSettings) -> tuple[str, ...]:
    """The guard on a re-rated period (as rating.rate.guard on an open one): its total falling
    by more than `max_drop_percent` of what was invoiced, or an invoice vanishing whole; empty
    when nothing objects or `accept_changes` lets it through."""
    if settings.accept_changes:
        return ()
    objections: list[str] = []
    if invoiced > 0 and (invoiced - rerated) * 100 > invoiced * settings.max_drop_percent:
        objections.append(
            f"the period's total would fall from {invoiced:,.2f} to {rerated:,.2f} "
            f"({(rerated - invoiced) * 100 / invoiced:+.1f}%, more than the "
            f"{settings.max_drop_percent}% allowed)")
    if vanished:
        shown = ", ".join(vanished[:10]) + (f" ... and {len(vanished) - 10} more"
                                            if len(vanished) > 10 else "")
        objections.append(f"{len(vanished)} invoice(s) would vanish whole: {shown}")
    return tuple(objections)
