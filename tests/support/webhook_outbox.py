"""Events in a warehouse's outbox and endpoints to receive them, for the delivery tests (the
real emitters write their events in the transactions that cause them)."""

import datetime as dt
from pathlib import Path

from rating import warehouse
from rating.api.keys import KeyStore
from rating.webhooks.endpoints import Endpoint, add_endpoint
from rating.webhooks.events import write_events


def write_generated(database: Path, service: str, count: int, prefix: str, per_key: int = 0,
                    event_type: str = "usage.rejected", now: dt.datetime | None = None) -> int:
    """`count` events of `service` (runs of `per_key` sharing an ordering_key), written as the
    emitters write theirs; how many were new."""
    with warehouse.writer(database) as con:
        warehouse.create_schema(con)
        with warehouse.transaction(con):
            return write_events(con, "webhooks/stage_generated_events", {
                "count": count, "prefix": prefix, "per_key": per_key,
                "event_type": event_type, "service": service}, now=now)


def event_ids(database: Path) -> list[str]:
    """Every event's id, in event_seq order."""
    with warehouse.writer(database) as con:
        return [row[0] for row in con.execute(
            "SELECT event_id FROM webhook_events ORDER BY event_seq").fetchall()]


def endpoint_for(state: Path, service: str, url: str, secret_env: str) -> Endpoint:
    """An endpoint of `service` (its record created when missing)."""
    store = KeyStore(state)
    if service not in store.services():
        store.add_service(service, {service})
    return add_endpoint(state, service, url, secret_env)
