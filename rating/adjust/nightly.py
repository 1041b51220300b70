"""The nightly run's look at a closed period before any re-rate (rating.adjust.service):
whether it can be skipped, in milliseconds when nothing touched it, whatever the history.

docs/adjustments.md rule 5: a period is re-rated when an ingestion since its last adjust run
lists it (before its first: since the rating that wrote its invoice lines, so rows ingested
between that rating and the close are billed too), when the catalog rows it uses changed, or
when a pending difference may be issued without a touch, or a credit put on a later invoice
that it takes below zero is to be redelivered (adjust/pending_needs_rerun.sql).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rating import warehouse
from rating.adjust import rerate
from rating.adjust.run import AdjustRequest, AdjustResult, posting_params, unchanged
from rating.rate import snapshots


def fast_path(con: Any, base: AdjustRequest, params: dict[str, Any], *,
               within: bool) -> tuple[bool, AdjustResult | None]:
    """The nightly run's shortcut: (True, the 'unchanged' run recorded) for a period within
    the lookback that nothing touched and whose pending waits for nothing that may have
    happened meanwhile; (True, None) for an untouched one beyond it (nothing recorded, unless
    its catalog fingerprint had to be computed again: then an 'unchanged' run records it, so
    that the next night need not); (False, None): re-rate it.

    What it costs must not grow with history: an untouched period with the same catalog as its
    last run is decided from the small ingestions and runs tables alone; its references and
    catalog fingerprint are built only when the catalog changed at all (or it has no snapshot
    of its references, or its last run was on purpose)."""
    look = warehouse.first_row(con, "adjust/period_quiet", {
        **params, "catalog_digest": base.catalog_digest})
    assert look is not None  # one row of scalar subqueries, always
    if look["ingested"]:
        return (False, None)
    cheap = (look["same_catalog"] and not look["after_on_purpose"]
             and rerate.has_snapshot(con, params))
    if cheap:
        fingerprint = look["fingerprint"]
    else:
        has_snapshot = rerate.load_references(con, params, time_zone=base.time_zone)
        fingerprint = snapshots.catalog_fingerprint(con, params)
        if warehouse.value(con, "adjust/period_touched", {
                **params, "catalog_fingerprint": fingerprint}):
            return (False, None)
        if not within and not has_snapshot and look["same_catalog"]:
            # Today's references: fingerprinted again each night anyway; a record of the
            # digest is only worth one when the catalog changed (the schedule looks at it).
            return (True, None)
    if not within and cheap:
        return (True, None)
    if within and _pending_needs_rerun(con, base, params):
        return (False, None)
    quiet = unchanged(con, dataclasses.replace(base, catalog_fingerprint=fingerprint))
    return (quiet is not None, quiet)


def _pending_needs_rerun(con: Any, base: AdjustRequest, params: dict[str, Any]) -> bool:
    """A pending difference may be decided otherwise now: what it waits for in Odoo changed,
    the lookback or the threshold no longer holds it; or a credit carried by a later invoice
    is to be made a document of its own, that invoice held below zero with it
    (adjust/pending_needs_rerun.sql)."""
    return bool(warehouse.value(con, "adjust/pending_needs_rerun", {
        **params, "threshold": base.settings.threshold, **posting_params(base)}))
