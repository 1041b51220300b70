"""The events told to the apps and how one is written (docs/webhooks.md has an example of each).

Every payload is `{"type", "version", "timestamp", "data"}`: `version` is the data's layout for
its type, raised when a field changes meaning or goes (new fields do not raise it). Events are
written by SQL statements under sql/webhooks/ in the caller's transaction, the one that records
the change (no posted invoice without its event, no event without its invoice); the event's id
(Standard Webhooks' `webhook-id`) is derived from its `event_key`, so writing it again (a rerun)
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rating import warehouse

VERSION = 1
"""The payload version of every event type today."""


def write_events(con: Any, staging: str, params: Mapping[str, Any] | None = None,
                 now: dt.datetime | None = None) -> int:
    """Write the events the statement `staging` stages (a `CREATE OR REPLACE TEMP TABLE
    webhook_new_events AS SELECT event_key, event_type, service, ordering_key, data`, data a
    JSON object) that the outbox does not hold yet; in the caller's transaction. The number
    written."""
    warehouse.run(con, staging, params)
    try:
        written = warehouse.rows(con, "webhooks/insert_events", {
            "version": VERSION, "now": now or warehouse.utc_now()})
    finally:
        warehouse.run(con, "webhooks/drop_new_events")
    return int(written[0]["Count"]) if written else 0


def tell_rejected(con: Any, since: int | None, ingestion_id: int | None = None,
                  new_file_ids: Sequence[int] = ()) -> int:
    """usage.rejected for the pushes the ledger's mirror just brought into the warehouse (the
    caller's transaction, rating.ingest.usage.sync's): the incremental ingestions above
    `since` (None: the mirror started over, a first mirror or another ledger, whose history is
    not told again), and this run's own ingestion `ingestion_id`, of a rebuild only the rows
    of `new_file_ids` (files not in the manifest it replaced: never told)."""
    return write_events(con, "webhooks/stage_rejected_events", {
        "since": since, "ingestion_id": ingestion_id, "new_file_ids": list(new_file_ids)})
