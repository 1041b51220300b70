"""What to do with one invoice key, decided from what is known of it: no Odoo, no warehouse.

Three views of a key meet here: what the ledger of postings said when the run started
(`LedgerEntry`, from odoo_postings), what we rate today (`Rated`: the content's hash, its
untaxed total and currency) and what Odoo holds under the key (`OdooMove`s). `decide` answers
with one decision; the runner (rating.odoo.runner) does the calls and applies it:

- `Create`: Odoo holds nothing under the key;
- `Rewrite`: our draft, to be written again (all lines replaced) before it is verified;
- `Verify`: our draft with today's content, to be verified (`verify_draft`) then posted;
- `AlreadyPosted`: Odoo holds it posted, and it is ours: recorded, never touched;
- `CompareLines`: posted with our total but not as we recorded it: its lines tell
  (`judge_posted`, once the runner has compared them);
- `Hold`: left alone, with the state and the reason a person reads.

Adjustments (issue 13: a supplementary invoice, or a credit note linked by `reversed_entry_id`
to the invoice it corrects) go through the same decisions under their own keys; only the move
type must match (`WRONG_TYPE_IN_ODOO` otherwise), the link is verified with the total before
posting (`LINK_MISMATCH`), and `link_original` says whether the original can be linked to.

The states a key goes through are one enum, `PostingState`; its values are the strings of
odoo_postings.state (and of the run's report), unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class PostingState(StrEnum):
    """A key's state in odoo_postings (sql/odoo/schema/01_odoo_postings.sql) and the report."""

    PENDING = "pending"  # a create is about to be sent
    DRAFT = "draft"  # in Odoo, not posted
    POSTED = "posted"
    # Posted, and our content changed since: never edited (the ledger keeps the posted hash).
    CHANGED_AFTER_POSTING = "changed_after_posting"
    AMOUNT_MISMATCH = "amount_mismatch"  # Odoo totals the draft otherwise: left in draft
    DUPLICATE_IN_ODOO = "duplicate_in_odoo"  # several invoices carry the key
    CANCELLED_IN_ODOO = "cancelled_in_odoo"
    DELETED_IN_ODOO = "deleted_in_odoo"  # we posted it (or created the draft), it is gone
    RESET_TO_DRAFT_IN_ODOO = "reset_to_draft_in_odoo"  # accounting's again: left to them
    REJECTED = "rejected"  # Odoo refused it
    NOT_POSTABLE = "not_postable"  # a line cannot be posted exactly at Odoo's precision
    CREATE_UNCONFIRMED = "create_unconfirmed"  # a create's answer was lost
    UNREACHABLE = "unreachable"  # named by the table's documentation; no run writes it
    DRY_RUN = "dry_run"  # a dry run's count in its report; never in the ledger
    # An adjustment whose original invoice is not posted (by us) in Odoo: nothing to link to.
    ORIGINAL_NOT_POSTED = "original_not_posted"
    WRONG_TYPE_IN_ODOO = "wrong_type_in_odoo"  # the key's move is of another type in Odoo
    LINK_MISMATCH = "link_mismatch"  # the draft credit note reverses another move: left in draft
    # Posted, then settled by an adjustment (`adjust --settle`): flagged again only when Odoo's
    # untaxed total is no longer the settled one.
    SETTLED_BY_ADJUSTMENT = "settled_by_adjustment"
    # An adjustment whose original invoice a person changed in Odoo after we posted it: held
    # until the original is settled (`adjust --settle`).
    ORIGINAL_CHANGED_IN_ODOO = "original_changed_in_odoo"

    @property
    def posted_by_us(self) -> bool:
        """Odoo holds the invoice we posted, whatever happens to our content."""
        return self in (PostingState.POSTED, PostingState.CHANGED_AFTER_POSTING,
                        PostingState.SETTLED_BY_ADJUSTMENT)

    @property
    def left_to_a_person(self) -> bool:
        """Odoo's invoice was taken out of our hands (reset to draft after we posted it,
        cancelled): held on every run, never posted by us again, until it is posted in Odoo
        (then its lines are compared with ours) or gone."""
        return self in (PostingState.RESET_TO_DRAFT_IN_ODOO, PostingState.CANCELLED_IN_ODOO)

    @property
    def rewritten_first(self) -> bool:
        """A draft written again before it is verified: a rewrite Odoo refused, a total Odoo
        computed otherwise, duplicates a person resolved."""
        return self in (PostingState.REJECTED, PostingState.AMOUNT_MISMATCH,
                        PostingState.DUPLICATE_IN_ODOO)


@dataclass(frozen=True)
class LedgerEntry:
    """What odoo_postings said of a key when the run started (sql/odoo/postings_for_period)."""

    invoice_key: str
    content_hash: str
    odoo_move_id: int | None
    state: PostingState
    attempts: int
    updated_at: dt.datetime
    # A settled document's untaxed total in Odoo when settled (settled_documents); None: never
    # settled.
    settled_untaxed: Decimal | None = None


@dataclass(frozen=True)
class Rated:
    """What we rate today under a key: the invoice's content hash, untaxed total and
    currency; its move type, and for a credit note the Odoo id of the invoice it reverses."""

    key: str
    content_hash: str
    untaxed: Decimal
    currency: str
    move_type: str = "out_invoice"
    reversed_entry_id: int | None = None


@dataclass(frozen=True)
class OdooMove:
    """A customer invoice Odoo holds under a key, as posting reads it.

    key: its x_fc_billing_key (None: it carries the key in `ref`, an earlier version's way).
    state: Odoo's (draft, posted, cancel). number: None until it is posted.
    currency: the currency's name (None when Odoo does not say).
    move_type: out_invoice or out_refund. reversed_entry_id: the move a credit note reverses.
    """

    id: int
    key: str | None
    state: str
    number: str | None
    untaxed: Decimal
    currency: str | None
    move_type: str = "out_invoice"
    reversed_entry_id: int | None = None


@dataclass(frozen=True)
class Create:
    """Odoo holds nothing under the key: create the invoice (after searching, as always)."""


@dataclass(frozen=True)
class Rewrite:
    """Our draft, written again (all lines replaced) before it is verified. `moves_key`: it
    carries the key in `ref`; the rewrite moves it to x_fc_billing_key."""

    move_id: int
    moves_key: bool = False


@dataclass(frozen=True)
class Verify:
    """Our draft with today's content: verify Odoo's total, then post it."""

    move_id: int


@dataclass(frozen=True)
class Verified:
    """A draft whose untaxed total in Odoo is ours: post it (or leave it, on a preview)."""

    move_id: int


@dataclass(frozen=True)
class AlreadyPosted:
    """Odoo holds the invoice posted and it is ours. `reworded`: we had posted it, and this
    version words it otherwise (descriptions, booking settings) with the same lines. `state`:
    what the ledger records (settled_by_adjustment stays so)."""

    move_id: int
    number: str | None
    reworded: bool = False
    state: PostingState = PostingState.POSTED


@dataclass(frozen=True)
class CompareLines:
    """Posted in Odoo with our untaxed total and currency, but not as we recorded it: ours
    when its lines are (read them, then `judge_posted`)."""

    move: OdooMove


@dataclass(frozen=True)
class Hold:
    """Left alone, with the reason a person reads.

    content_hash: what Odoo's invoice holds when it is not today's content (None: today's).
    recorded: False when the ledger keeps what it says (the wait after a lost create counts
    from that create; a posted invoice stays recorded as posted).
    no_move_in_odoo: Odoo was searched and holds no move under the key: the ledger forgets
    the move it knew (a draft a person deleted).
    """

    state: PostingState
    reason: str
    move_id: int | None = None
    number: str | None = None
    content_hash: str | None = None
    recorded: bool = True
    no_move_in_odoo: bool = False


Decision = Create | Rewrite | Verify | AlreadyPosted | CompareLines | Hold


def decide(entry: LedgerEntry | None, rated: Rated, moves: Sequence[OdooMove],
           now: dt.datetime, settle_seconds: float) -> Decision:
    """What to do with a key Odoo holds `moves` under (one run; the ledger as it started)."""
    if len(moves) > 1:
        ids = ", ".join(str(m.id) for m in moves)
        return Hold(PostingState.DUPLICATE_IN_ODOO, f"Odoo invoices {ids} carry this key")
    if not moves:
        return _nothing_in_odoo(entry, now, settle_seconds)
    move = moves[0]
    if move.move_type != rated.move_type:
        # Never adopted nor rewritten: Odoo lets a person change a move's type, and a credit
        # note held as an invoice would bill the customer instead of crediting them.
        return Hold(PostingState.WRONG_TYPE_IN_ODOO,
                    f"Odoo move {move.id} under this key is a {_type_name(move.move_type)}, "
                    f"we issue a {_type_name(rated.move_type)}: left to a person", move.id,
                    content_hash=entry.content_hash if entry is not None else None)
    # The hash of what Odoo's invoice holds, when it is out of our hands.
    kept = entry.content_hash if entry is not None else None
    if move.state == "cancel":
        return Hold(PostingState.CANCELLED_IN_ODOO, f"Odoo invoice {move.id} is cancelled",
                    move.id, content_hash=kept)
    if move.state == "posted":
        return _posted_in_odoo(entry, rated, move)
    if entry is not None and (entry.state.posted_by_us or entry.state.left_to_a_person):
        # Accounting reset our posted (or cancelled) invoice to draft, perhaps to edit it:
        # theirs, until they post it again.
        return Hold(PostingState.RESET_TO_DRAFT_IN_ODOO,
                    f"Odoo invoice {move.id} was posted or cancelled and is a draft again: "
                    "left to accounting", move.id, content_hash=kept)
    # Rewritten when our content changed, when the last rewrite or total went wrong (its lines
    # may have been laid out by another version or at another precision), or when it carries
    # the key in `ref` (an earlier version's): the draft is ours until it is posted.
    in_ref = move.key != rated.key
    if not _same_content(entry, rated) or in_ref or (
            entry is not None and entry.state.rewritten_first):
        return Rewrite(move.id, moves_key=in_ref)
    return Verify(move.id)


def _nothing_in_odoo(entry: LedgerEntry | None, now: dt.datetime,
                     settle_seconds: float) -> Create | Hold:
    if entry is not None and entry.state.posted_by_us:
        return Hold(PostingState.DELETED_IN_ODOO,
                    f"posted as Odoo invoice {entry.odoo_move_id}, no longer in Odoo")
    if entry is not None and entry.state is PostingState.CREATE_UNCONFIRMED and \
            now - entry.updated_at < dt.timedelta(seconds=settle_seconds):
        # Not recorded again: the wait counts from the lost create.
        return Hold(PostingState.CREATE_UNCONFIRMED,
                    "a create whose answer was lost may still land in Odoo; created again "
                    f"{settle_seconds:.0f} s after it at the earliest", recorded=False)
    return Create()


def _posted_in_odoo(entry: LedgerEntry | None, rated: Rated,
                    move: OdooMove) -> AlreadyPosted | CompareLines | Hold:
    if entry is not None and entry.state is PostingState.SETTLED_BY_ADJUSTMENT:
        if entry.settled_untaxed is None or move.untaxed == entry.settled_untaxed:
            # Its difference was billed by an adjustment: ours as it stands.
            return AlreadyPosted(move.id, move.number, state=PostingState.SETTLED_BY_ADJUSTMENT)
        # A person changed it again since: the settlement no longer covers it.
        return Hold(PostingState.CHANGED_AFTER_POSTING,
                    f"Odoo invoice {move.number} is posted with {move.untaxed}, settled with "
                    f"{entry.settled_untaxed}: changed again since; settle it again "
                    "(`fusion-rating adjust --settle`)", move.id, move.number,
                    content_hash=entry.content_hash)
    if not _recorded_as_posted(entry, rated) and move.untaxed == rated.untaxed and \
            move.currency == rated.currency:
        return CompareLines(move)
    # Recorded as ours; or not ours, whatever its lines: another total or currency.
    return judge_posted(entry, rated, move, lines_are_ours=False)


def judge_posted(entry: LedgerEntry | None, rated: Rated, move: OdooMove,
                 lines_are_ours: bool) -> AlreadyPosted | Hold:
    """A posted invoice under the key: ours when we posted this very content, or when its
    lines are ours (the same currency, products and amounts: posted by a run killed before it
    could record it, by another version that worded it otherwise, by a person who posted our
    draft); otherwise flagged, never edited."""
    if _recorded_as_posted(entry, rated) or (move.untaxed == rated.untaxed and lines_are_ours):
        return AlreadyPosted(move.id, move.number, reworded=not _same_content(entry, rated)
                             and entry is not None and entry.state.posted_by_us)
    change = (f"rated content changed since (now {rated.untaxed})"
              if move.untaxed != rated.untaxed else "its lines are no longer the rated ones")
    # The ledger keeps the hash of what was posted: the next run flags it again.
    return Hold(PostingState.CHANGED_AFTER_POSTING,
                f"Odoo invoice {move.number} is posted with {move.untaxed}; {change}: adjust "
                "with a credit note", move.id, move.number,
                content_hash=entry.content_hash if entry and entry.content_hash else
                "not the rated")


def verify_draft(rated: Rated, move_id: int, move: OdooMove | None) -> Verified | Hold:
    """Our draft as Odoo reads it back before posting: posted only with our untaxed total."""
    if move is None:
        return Hold(PostingState.DELETED_IN_ODOO, f"Odoo invoice {move_id} disappeared")
    if move.untaxed != rated.untaxed:
        return Hold(PostingState.AMOUNT_MISMATCH,
                    f"Odoo computes {move.untaxed} untaxed, we rated {rated.untaxed}: left in "
                    "draft", move_id)
    if move.reversed_entry_id != rated.reversed_entry_id:
        # Odoo reconciles a posted credit note with the move it names: never post it linked
        # to another invoice (or to none).
        return Hold(PostingState.LINK_MISMATCH,
                    f"Odoo move {move_id} reverses {_move_name(move.reversed_entry_id)}, it "
                    f"should reverse {_move_name(rated.reversed_entry_id)}: left in draft",
                    move_id)
    return Verified(move_id)


def link_original(original_key: str, entry: LedgerEntry | None,
                  move: OdooMove | None) -> OdooMove | Hold:
    """The original invoice an adjustment refers to (a credit note's reversed_entry_id):
    only one we posted (the ledger says so) that Odoo holds posted, as an invoice, and that
    holds what we posted or was settled since. An adjustment is computed against what we
    invoiced: against an original a person changed, a credit note could credit more than
    Odoo billed (and a supplementary invoice bill what the person added by hand)."""
    if entry is not None and entry.state is PostingState.CHANGED_AFTER_POSTING:
        period = original_key.rsplit("/", 1)[-1]
        return Hold(PostingState.ORIGINAL_CHANGED_IN_ODOO,
                    f"the original invoice {original_key} was changed in Odoo after we posted "
                    "it: the adjustment waits until `fusion-rating adjust --period "
                    f"{period} --settle {original_key} --reason TEXT` settles it")
    if entry is None or not entry.state.posted_by_us:
        ours = "never posted" if entry is None else entry.state.value
        return Hold(PostingState.ORIGINAL_NOT_POSTED,
                    f"the original invoice {original_key} is {ours} in odoo_postings: the "
                    "adjustment waits until it is posted")
    if move is None or move.state != "posted" or move.move_type != "out_invoice":
        found = "not in Odoo" if move is None else \
            f"a {_type_name(move.move_type)} in state {move.state} (Odoo move {move.id})"
        return Hold(PostingState.ORIGINAL_NOT_POSTED,
                    f"the original invoice {original_key} is {found}: the adjustment waits "
                    "until it is posted there")
    return move


def _type_name(move_type: str) -> str:
    return {"out_invoice": "customer invoice", "out_refund": "credit note"}.get(move_type,
                                                                                move_type)


def _move_name(move_id: int | None) -> str:
    return "no move" if move_id is None else f"move {move_id}"


def hold_not_postable(entry: LedgerEntry | None, problem: str) -> Hold:
    """An invoice we cannot build exactly at Odoo's precision. A posted one stays recorded as
    posted: Odoo holds it, whatever we can build today."""
    return Hold(PostingState.NOT_POSTABLE, problem,
                recorded=entry is None or not entry.state.posted_by_us)


def hold_carrying_unpostable(entry: LedgerEntry | None, problem: str, period: str,
                             moves: Sequence[OdooMove], now: dt.datetime,
                             settle_seconds: float) -> Hold:
    """An invoice that carries adjustments of earlier periods and cannot be posted (below
    zero with them), as Odoo holds its key. The adjust run makes those adjustments documents
    of their own only while Odoo holds no move of the invoice (else they would be credited
    twice): a move there (a draft written with `post --drafts-only` before it fell below
    zero) is named, for a person to delete; none is recorded (`no_move_in_odoo`), so that the
    ledger forgets the move it knew."""
    if entry is not None and entry.state.posted_by_us:
        return hold_not_postable(entry, problem)
    if len(moves) == 1 and moves[0].state == "draft":
        return Hold(PostingState.NOT_POSTABLE,
                    f"{problem}; Odoo holds a draft of it (move {moves[0].id}), written before "
                    "it fell below zero: delete that draft in Odoo, and the next posting of "
                    f"{period} records it gone", moves[0].id)
    if moves:
        held = ", ".join(f"move {m.id} ({m.state})" for m in moves)
        return Hold(PostingState.NOT_POSTABLE,
                    f"{problem}; Odoo holds {held} under this key: left to a person",
                    moves[0].id)
    if entry is not None and entry.state is PostingState.CREATE_UNCONFIRMED and \
            now - entry.updated_at < dt.timedelta(seconds=settle_seconds):
        # A lost create may still land in Odoo: not recorded, the wait counts from it.
        return Hold(PostingState.CREATE_UNCONFIRMED,
                    f"{problem}; a create whose answer was lost may still land in Odoo: looked "
                    f"at again {settle_seconds:.0f} s after it", recorded=False)
    return Hold(PostingState.NOT_POSTABLE, problem, no_move_in_odoo=True)


def _same_content(entry: LedgerEntry | None, rated: Rated) -> bool:
    return entry is not None and entry.content_hash == rated.content_hash


def _recorded_as_posted(entry: LedgerEntry | None, rated: Rated) -> bool:
    """We posted this very content: Odoo's invoice is ours, whatever its lines read."""
    return entry is not None and entry.state is PostingState.POSTED and \
        entry.content_hash == rated.content_hash
