"""What a person does with deliveries (`fusion-rating webhooks list|retry|replay`); each a
short transaction on the warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from rating import warehouse
from rating.webhooks.delivery import endpoint_table
from rating.webhooks.endpoints import EndpointError, endpoints


def list_deliveries(database: Path | str, state: str | None = None, service: str | None = None,
                    event_type: str | None = None, limit: int = 50) -> list[warehouse.Row]:
    """The deliveries, the latest events first (no secret is stored, so none is shown)."""
    with warehouse.writer(database) as con:
        warehouse.create_schema(con)
        return warehouse.rows(con, "webhooks/deliveries_list", {
            "state": state, "service": service, "event_type": event_type, "limit": limit})


def _requested(event_ids: Sequence[str]) -> pa.Table:
    return pa.table({"event_id": pa.array(list(event_ids), pa.string())})


def retry(database: Path | str, event_ids: Sequence[str] = (), all_failed: bool = False,
          endpoint: str | None = None, now: dt.datetime | None = None) -> int:
    """The deliveries not delivered of these events (or every failed one) pending again, due
    now, their day counted again; how many."""
    with warehouse.writer(database) as con:
        warehouse.create_schema(con)
        with warehouse.registered(con, "requested_events", _requested(event_ids)), \
                warehouse.transaction(con):
            changed = warehouse.rows(con, "webhooks/deliveries_retry", {
                "now": now or warehouse.utc_now(), "all_failed": all_failed,
                "endpoint": endpoint})
    return int(changed[0]["Count"]) if changed else 0


def replay(database: Path | str, state: Path | str, event_ids: Sequence[str] = (),
           since: dt.datetime | None = None, service: str | None = None,
           endpoint: str | None = None, now: dt.datetime | None = None) -> int:
    """These events (or the service's since `since`) sent again, with the same webhook-id, to
    each configured endpoint of their service (or `endpoint` alone); how many deliveries."""
    configured = [e for e in endpoints(state) if endpoint is None or e.endpoint_id == endpoint]
    if endpoint is not None and not configured:
        raise EndpointError(f"no endpoint {endpoint} (fusion-rating webhooks endpoints)")
    with warehouse.writer(database) as con:
        warehouse.create_schema(con)
        with warehouse.registered(con, "requested_events", _requested(event_ids)), \
                warehouse.registered(con, "delivery_endpoints", endpoint_table(configured)), \
                warehouse.transaction(con):
            changed = warehouse.rows(con, "webhooks/deliveries_replay", {
                "now": now or warehouse.utc_now(), "since": since, "service": service})
    return int(changed[0]["Count"]) if changed else 0
