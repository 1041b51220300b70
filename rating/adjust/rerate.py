"""Re-rate a closed period with the rating's own statements, beside its rows.

A closed period's usage_rollups, rated_charges and invoice_lines never change. To see what it
would come to today, `rerate_period` rates it again, inside the caller's transaction, from
everything the ledger holds for it now, the catalog loaded on the connection (the prices in
force for the period, as a rating picks them) and the subscriptions and account links as they
stood when the period was last rated while open (rating.rate.snapshots). The statements are
the rating's (rating.rate.pricing), run with the search_path on the schema rerate
(rating.adjust.shadow); what is kept is copied to rerated_lines, replacing the period's,
and the charges left without a price to TEMP rerated_unpriced (the scratch tables are dropped
on the way out). TEMP usage_outcomes stays too: the rows held now, and why.

A period rated before snapshots existed is re-rated with the references in force today
(`from_snapshot` False), as is any period asked for with `current_references`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rating import warehouse
from rating.adjust.shadow import shadow
from rating.ingest import tables as accounts
from rating.periods import DEFAULT_TIME_ZONE
from rating.rate import close, pricing, snapshots


@dataclass(frozen=True, kw_only=True)
class RerateResult:
    """One re-rate of one closed period (its lines: rerated_lines)."""

    period: str
    run_id: str
    rows_rerated: int      # accepted ledger rows rated now
    rows_held: int         # accepted ledger rows held now (usage_outcomes says why)
    lines: int             # rerated_lines rows of the period
    amount_total: Decimal  # their amounts summed (mixed currencies added as numbers)
    unpriced_lines: int    # re-rated charges without a price in force (TEMP rerated_unpriced
                           # names them; their invoices are not in rerated_lines)
    from_snapshot: bool    # False: the references in force today were used
    catalog_fingerprint: str  # of the catalog rows the period uses now
    fingerprint_matches: bool | None  # against the latest accepted (adjust/accepted_fingerprint)
    seconds: float


class RerateRefused(ValueError):
    """Only a closed period is re-rated (an open one is simply rated again)."""


def rerate_period(con: Any, params: dict[str, Any], *, run_id: str,
                  time_zone: str = DEFAULT_TIME_ZONE, current_references: bool = False
                  ) -> RerateResult:
    """Re-rate the closed period of `params` (rating.rate.params) into rerated_lines, in the
    caller's transaction, with the ledger attached and the catalog's cat_* tables loaded.
    Main's rated tables are not touched."""
    started = time.perf_counter()
    if not close.is_closed(con, params):
        raise RerateRefused(f"period {params['billing_period']} is not closed: rate it "
                            "(fusion-rating rate), a re-rate is for closed periods")
    rated_with = warehouse.value(con, "adjust/accepted_fingerprint", params)
    from_snapshot = load_references(con, params, time_zone=time_zone,
                                    current_references=current_references)
    counts = pricing.classify_usage(con, params, None)
    fingerprint = snapshots.catalog_fingerprint(con, params)
    warehouse.run(con, "adjust/delete_period_rerated_lines", params)
    with shadow(con):
        pricing.price_period(con, params)
        # The rating's own summary, of the rerate tables here.
        totals = warehouse.first_row(con, "rate/period_totals", params)
        warehouse.run(con, "adjust/create_rerated_unpriced", params)
        warehouse.run(con, "adjust/insert_rerated_lines", {**params, "run_id": run_id})
    assert totals is not None  # one row of scalar subqueries, always
    return RerateResult(
        period=params["billing_period"], run_id=run_id, rows_rerated=counts["rated"],
        rows_held=counts["held"], lines=int(totals["invoice_lines"]),
        amount_total=(totals["amount_total"] if totals["amount_total"] is not None
                      else Decimal("0.00")),
        unpriced_lines=int(totals["unpriced_lines"]), from_snapshot=from_snapshot,
        catalog_fingerprint=fingerprint,
        fingerprint_matches=None if rated_with is None else rated_with == fingerprint,
        seconds=time.perf_counter() - started)


def load_references(con: Any, params: dict[str, Any], *, time_zone: str = DEFAULT_TIME_ZONE,
                    current_references: bool = False) -> bool:
    """TEMP ref_subscriptions, ref_accounts and account_links for a re-rate of the period: as
    they stood when it was last rated (True), else, without a snapshot or when asked for, as
    in force today (False). Cheap: the nightly run builds them to fingerprint the period's
    catalog before deciding whether to re-rate it at all."""
    if has_snapshot(con, params) and not current_references:
        _references_as_rated(con, params)
        return True
    _references_in_force(con, time_zone)
    return False


def has_snapshot(con: Any, params: dict[str, Any]) -> bool:
    """Whether the period's references were kept (by its rating, or by an adjust run that
    kept those it re-rated with: adjust/snapshot_fingerprint.sql)."""
    return warehouse.value(con, "adjust/snapshot_fingerprint", params) is not None


def reproduces_invoices(con: Any, params: dict[str, Any]) -> bool:
    """Whether the period's re-rate just written reproduces its invoice lines exactly (and no
    revision was issued since the close): its references then verifiably give the period as
    billed (adjust/rerate_reproduces_invoices.sql)."""
    return bool(warehouse.value(con, "adjust/rerate_reproduces_invoices", params))


def keep_verified_references(con: Any, params: dict[str, Any]) -> str:
    """Keep as the period's snapshot only the references its re-rate with today's verified
    (reproduces_invoices): the subscriptions and account links that produced one of its
    invoice lines. Another account's late usage is then held as by a rating without its link
    or subscription, for a person to decide, instead of billed on a link made after the close.
    Returns the kept snapshot's catalog fingerprint, which later re-rates compare with; the
    TEMP references are reloaded from it on the way."""
    for statement in ("rate/delete_period_rated_subscriptions",
                      "adjust/insert_verified_subscriptions",
                      "rate/delete_period_rated_account_links",
                      "adjust/insert_verified_account_links"):
        warehouse.run(con, statement, params)
    _references_as_rated(con, params)
    return snapshots.catalog_fingerprint(con, params)


def _references_as_rated(con: Any, params: dict[str, Any]) -> None:
    """TEMP ref_subscriptions, ref_accounts and account_links from the period's snapshot."""
    for statement in ("adjust/create_ref_subscriptions_as_rated",
                      "adjust/create_ref_accounts_as_rated",
                      "adjust/create_account_links_as_rated"):
        warehouse.run(con, statement, params)


def _references_in_force(con: Any, time_zone: str) -> None:
    """The same TEMP tables from the versions in force today (reference_rows_*), checked as a
    rating checks them."""
    warehouse.run(con, "ingest/references/create_raw_subscriptions")
    warehouse.run(con, "ingest/references/create_raw_accounts")
    accounts.check_reference(con, time_zone)
    warehouse.run(con, "rate/create_account_links")
