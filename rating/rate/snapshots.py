"""What an open period was rated with, kept beside its rows: the subscriptions and account
links (rated_subscriptions, rated_account_links) and a fingerprint of the catalog rows it used
(rating_runs.period_catalog_fingerprint).

Written by every rating of an open period in the transaction that writes its invoice_lines, so
a closed period's snapshot is frozen with its rows: a re-rate of it (rating.adjust.rerate) uses
the references as they stood, and sees a catalog edit that would change it.
"""

from __future__ import annotations

from typing import Any

from rating import warehouse


def write(con: Any, params: dict[str, Any]) -> None:
    """Replace the period's snapshot with the references in force (TEMP ref_subscriptions,
    account_links: the caller's transaction)."""
    for statement in ("rate/delete_period_rated_subscriptions",
                      "rate/insert_rated_subscriptions",
                      "rate/delete_period_rated_account_links",
                      "rate/insert_rated_account_links"):
        warehouse.run(con, statement, params)


def catalog_fingerprint(con: Any, params: dict[str, Any]) -> str:
    """md5 of the cat_* rows the period's plans use, with the prices in force on its first
    day (from TEMP ref_subscriptions and cat_*)."""
    return str(warehouse.value(con, "rate/period_catalog_fingerprint", params))
