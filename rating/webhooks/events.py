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
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from rating import warehouse

VERSION = 1
"""The payload version of every event type today."""


class EventType(StrEnum):
    INVOICE_POSTED = "invoice.posted"
    INVOICE_PAYMENT_STATUS_UPDATED = "invoice.payment_status_updated"
    INVOICE_ADJUSTED = "invoice.adjusted"
    USAGE_REJECTED = "usage.rejected"
    PERIOD_CLOSED = "period.closed"


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
