"""One delivery pass (docs/webhooks.md, "Delivery"): claim, send, record.

1. A short writer transaction creates the deliveries of the events written since the last pass
   (each endpoint's cursor) and claims those due, each behind no earlier pending one of its
   ordering_key; 2. the requests go out with no warehouse lock held, the endpoints in parallel
   (rating.webhooks.sending); 3. a second short transaction records the outcomes and the next
   attempts (rating.webhooks.backoff). A pass killed between 2 and 3 leaves its deliveries
   pending: they are sent again with the same webhook-id (at least once).

One pass at a time: a second one finds `<warehouse>.webhooks.lock` taken and returns at once.
Each pass leaves what it saw (the counts, the latest failed deliveries, read in its own
transactions) in `<warehouse>.webhooks.status.json`: the Dagster check reads that, never the
warehouse, so a run never waits for the writer while rating holds it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa

from rating import warehouse
from rating.webhooks import backoff
from rating.webhooks.endpoints import Endpoint, endpoints
from rating.webhooks.sending import Claimed, Outcome, Timing, send_all


@dataclass(frozen=True)
class DeliverySettings:
    """batch_size: deliveries claimed per pass; per_endpoint: at most this many of them to one
    endpoint (a dead endpoint's backlog never fills the batch); connect/read_timeout: seconds
    per connect and per read, their sum the deadline of a whole request (an app trickling its
    answer meets every read timeout); endpoint_budget: seconds an endpoint may take per pass,
    its other claimed deliveries then wait for the next pass untouched; parallel: endpoints
    sent to at once; give_up_after: from the first attempt to `failed`."""

    batch_size: int = 500
    per_endpoint: int = 100
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    endpoint_budget: float = 60.0
    parallel: int = 8
    give_up_after: dt.timedelta = dt.timedelta(days=1)


@dataclass(frozen=True)
class DeliveryReport:
    """sent: requests made; delivered: 2xx; retried: failed, to be tried again; failed: held
    failed by this pass; failed_total and pending_left: after it; skipped_busy: another pass was
    running, this one did nothing."""

    sent: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    failed_total: int | None = 0
    pending_left: int | None = 0
    failed_first: tuple[warehouse.Row, ...] = ()
    skipped_busy: bool = False


def lock_path(database: Path | str) -> Path:
    """The pass's lock file, beside the warehouse's real file (a link to it takes the same)."""
    return Path(f"{Path(database).resolve()}.webhooks.lock")


def deliver(database: Path | str, state: Path | str,
            settings: DeliverySettings = DeliverySettings(), now: dt.datetime | None = None,
            environ: Mapping[str, str] | None = None) -> DeliveryReport:
    """One pass. `now` (UTC, naive) schedules it (what is due, the next attempts); the requests'
    webhook-timestamp is always the wall clock. `environ` holds the secrets (default: os.environ).
    """
    with _one_pass(database) as free:
        if not free:
            return DeliveryReport(failed_total=None, pending_left=None, skipped_busy=True)
        when = now or warehouse.utc_now()
        timing = Timing(when, time.monotonic(), settings.connect_timeout + settings.read_timeout,
                        settings.endpoint_budget)
        configured = {e.endpoint_id: e for e in endpoints(state)}
        with warehouse.writer(database) as con:
            _schema_once(con, database)
            claimed = _claim(con, list(configured.values()), when, settings)
            counts, first = _counts(con)
        outcomes = _send(configured, claimed, settings, timing, environ)
        given_up: list[bool] = []
        if outcomes:  # a pass with nothing due opens the warehouse once
            with warehouse.writer(database) as con:
                given_up = _record(con, outcomes, settings.give_up_after)
                counts, first = _counts(con)
    report_status(database, counts, first)
    tried = [(o, g) for o, g in zip(outcomes, given_up, strict=True) if not o.held_back]
    return DeliveryReport(sent=sum(o.sent for o in outcomes),
                          delivered=sum(o.delivered for o in outcomes),
                          retried=sum(not o.delivered and not g for o, g in tried),
                          failed=sum(given_up), failed_total=int(counts.get("failed") or 0),
                          pending_left=int(counts.get("pending") or 0), failed_first=first)


def status_path(database: Path | str) -> Path:
    return Path(f"{Path(database).resolve()}.webhooks.status.json")


def report_status(database: Path | str, counts: warehouse.Row,
                  first: Sequence[warehouse.Row]) -> None:
    """What the pass saw, for the check (written whole, then renamed: never read half)."""
    path = status_path(database)
    text = json.dumps({"pending": int(counts.get("pending") or 0),
                       "failed": int(counts.get("failed") or 0),
                       "failed_first": [dict(row) for row in first]}, default=str)
    partial = path.with_name(path.name + ".partial")
    with suppress(OSError):  # the outcomes are recorded: a status not written is only stale
        partial.write_text(text)
        os.replace(partial, path)


def last_status(database: Path | str) -> dict[str, Any] | None:
    """What the latest pass saw (None: no pass yet)."""
    try:
        found: dict[str, Any] = json.loads(status_path(database).read_text())
    except (OSError, ValueError):
        return None
    return found


def _counts(con: Any) -> tuple[warehouse.Row, tuple[warehouse.Row, ...]]:
    """The counts after a step and the latest failed deliveries, in the step's connection."""
    counts = warehouse.first_row(con, "webhooks/delivery_counts") or {}
    first = tuple(warehouse.rows(con, "webhooks/failed_deliveries", {"limit": 10})
                  if counts.get("failed") else ())
    return counts, first


_SCHEMA_READY: set[str] = set()


def _schema_once(con: Any, database: Path | str) -> None:
    """create_schema, once per warehouse in this process: a deliverer looping every minute
    does not pay its catalog check (about 0.1 s) at each pass."""
    if str(database) not in _SCHEMA_READY:
        warehouse.create_schema(con)
        _SCHEMA_READY.add(str(database))


@contextmanager
def _one_pass(database: Path | str) -> Iterator[bool]:
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def endpoint_table(configured: Sequence[Endpoint]) -> pa.Table:
    """The endpoints as the statements read them (delivery_endpoints)."""
    return pa.table({"endpoint_id": [e.endpoint_id for e in configured],
                     "service": [e.service for e in configured],
                     "url": [e.url for e in configured],
                     "created_at": pa.array([e.created_at for e in configured],
                                            pa.timestamp("us"))})


def _claim(con: Any, configured: Sequence[Endpoint], now: dt.datetime,
           settings: DeliverySettings) -> list[Claimed]:
    """Fan-out then claim, in one transaction."""
    with warehouse.registered(con, "delivery_endpoints", endpoint_table(configured)), \
            warehouse.transaction(con):
        after = warehouse.value(con, "webhooks/delivery_min_cursor")
        warehouse.run(con, "webhooks/delivery_fan_out", {"after": after, "now": now})
        warehouse.run(con, "webhooks/delivery_advance_cursors")
        found = warehouse.rows(con, "webhooks/delivery_claim", {
            "now": now, "batch_size": settings.batch_size,
            "per_endpoint": settings.per_endpoint})
    return [Claimed(event_id=row["event_id"], endpoint_id=row["endpoint_id"],
                    event_seq=row["event_seq"], payload=row["payload"],
                    attempts=row["attempts"], first_attempt_at=row["first_attempt_at"],
                    requeued_at=row["requeued_at"])
            for row in found]


def _send(configured: Mapping[str, Endpoint], claimed: Sequence[Claimed],
          settings: DeliverySettings, timing: Timing,
          environ: Mapping[str, str] | None) -> list[Outcome]:
    by_endpoint: dict[str, list[Claimed]] = {}
    for item in claimed:
        by_endpoint.setdefault(item.endpoint_id, []).append(item)
    if not by_endpoint:
        return []
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    work = [(configured[endpoint_id], items) for endpoint_id, items in by_endpoint.items()]
    return send_all(work, timeout, settings.parallel, timing, environ)


def _record(con: Any, outcomes: Sequence[Outcome],
            give_up_after: dt.timedelta) -> list[bool]:
    """The outcomes written in one transaction, each at its own time; whether each was held
    failed. A delivery a person retried or replayed since the claim keeps what they asked."""
    rand = random.Random()
    stamps = [o.attempted_at or warehouse.utc_now() for o in outcomes]
    nexts = [None if o.delivered else backoff.next_attempt(
        backoff.attempts_counted(o.claimed.attempts, o.claimed.first_attempt_at,
                                 o.claimed.requeued_at, at),
        at, o.claimed.first_attempt_at, give_up_after, rand)
        for o, at in zip(outcomes, stamps, strict=True)]
    give_up = [not o.delivered and n is None for o, n in zip(outcomes, nexts, strict=True)]
    table = pa.table({
        "event_id": [o.claimed.event_id for o in outcomes],
        "endpoint_id": [o.claimed.endpoint_id for o in outcomes],
        "requeued_at": pa.array([o.claimed.requeued_at for o in outcomes], pa.timestamp("us")),
        "delivered": [o.delivered for o in outcomes],
        "status": pa.array([o.status for o in outcomes], pa.int32()),
        "error": pa.array([o.error for o in outcomes], pa.string()),
        "attempted_at": pa.array(stamps, pa.timestamp("us")),
        "next_attempt_at": pa.array(nexts, pa.timestamp("us")),
        "give_up": give_up})
    with warehouse.registered(con, "delivery_outcomes", table), warehouse.transaction(con):
        warehouse.run(con, "webhooks/delivery_record")
    return give_up
