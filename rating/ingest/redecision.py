"""Rows quarantined because the catalog did not know their service or metric, decided again
against the catalog in force (sql/ingest/ledger/create_redecided.sql): by an ingestion when
the catalog has changed since they were decided (rating.ingest.usage), and by current_usage on
its scratch ledger exactly as the next ingestion will (rating.api.pricing)."""

from __future__ import annotations

from typing import Any

from rating import warehouse
from rating.catalog import Catalog


def redecide_rows(con: Any, catalog: Catalog, ingestion_id: int) -> int:
    """Decide ledger.usage_rows' catalog-quarantined rows again (cat_* tables and
    period_buckets loaded), those that change marked changed in `ingestion_id`; how many
    changed."""
    warehouse.run(con, "ingest/ledger/create_redecided", {
        "known_services": [s.code for s in catalog.services]})
    changed = int(warehouse.value(con, "ingest/ledger/count_redecided"))
    if changed:
        params = {"ingestion_id": ingestion_id}
        warehouse.run(con, "ingest/ledger/update_redecided_accepted", params)
        for row in warehouse.rows(con, "ingest/ledger/redecided_reasons"):
            warehouse.run(con, "ingest/ledger/update_redecided_reason",
                          {**params, "reason": row["reason"]})
    return changed
