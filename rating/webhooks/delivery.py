"""One delivery pass (docs/webhooks.md, "Delivery"): claim, send, record.

1. A short writer transaction creates the deliveries of the events written since the last pass
   (each endpoint's cursor) and claims those due, each behind no earlier pending one of its
   ordering_key; 2. the requests go out with no warehouse lock held, the endpoints in parallel
   (rating.webhooks.sending); 3. a second short transaction records the outcomes and the next
   attempts (rating.webhooks.backoff). A pass killed between 2 and 3 leaves its deliveries
   pending: they are sent again with the same webhook-id (at least once).

One pass at a time: a second one finds `<warehouse>.webhooks.lock` taken and returns at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import random
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa

from rating import warehouse
from rating.webhooks import backoff
from rating.webhooks.endpoints import Endpoint, endpoints
from rating.webhooks.sending import Claimed, Outcome, send_endpoint


@dataclass(frozen=True)
class DeliverySettings:
    """batch_size: deliveries claimed per pass; connect/read_timeout: seconds per request;
    parallel: endpoints sent to at once; give_up_after: from the first attempt to `failed`."""

    batch_size: int = 500
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
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
    failed_total: int = 0
    pending_left: int = 0
    skipped_busy: bool = False


def lock_path(database: Path | str) -> Path:
    return Path(f"{database}.webhooks.lock")


def deliver(database: Path | str, state: Path | str,
            settings: DeliverySettings = DeliverySettings(), now: dt.datetime | None = None,
            environ: Mapping[str, str] | None = None) -> DeliveryReport:
    """One pass. `now` (UTC, naive) schedules it (what is due, the next attempts); the requests'
    webhook-timestamp is always the wall clock. `environ` holds the secrets (default: os.environ).
    """
    with _one_pass(database) as free:
        if not free:
            return DeliveryReport(skipped_busy=True)
        when = now or warehouse.utc_now()
        configured = {e.endpoint_id: e for e in endpoints(state)}
        with warehouse.writer(database) as con:
            _schema_once(con, database)
            claimed = _claim(con, list(configured.values()), when, settings.batch_size)
            counts = warehouse.first_row(con, "webhooks/delivery_counts") or {}
        outcomes = _send(configured, claimed, settings, environ)
        failed_now = 0
        if outcomes:  # a pass with nothing due opens the warehouse once
            with warehouse.writer(database) as con:
                failed_now = _record(con, outcomes, when, settings.give_up_after)
                counts = warehouse.first_row(con, "webhooks/delivery_counts") or {}
    delivered = sum(o.delivered for o in outcomes)
    return DeliveryReport(sent=sum(o.sent for o in outcomes),
                          delivered=delivered, retried=len(outcomes) - delivered - failed_now,
                          failed=failed_now, failed_total=int(counts.get("failed") or 0),
                          pending_left=int(counts.get("pending") or 0))


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
           batch_size: int) -> list[Claimed]:
    """Fan-out then claim, in one transaction."""
    with warehouse.registered(con, "delivery_endpoints", endpoint_table(configured)), \
            warehouse.transaction(con):
        after = warehouse.value(con, "webhooks/delivery_min_cursor")
        warehouse.run(con, "webhooks/delivery_fan_out", {"after": after, "now": now})
        warehouse.run(con, "webhooks/delivery_advance_cursors")
        found = warehouse.rows(con, "webhooks/delivery_claim",
                               {"now": now, "batch_size": batch_size})
    return [Claimed(event_id=row["event_id"], endpoint_id=row["endpoint_id"],
                    event_seq=row["event_seq"], payload=row["payload"],
                    attempts=row["attempts"], first_attempt_at=row["first_attempt_at"])
            for row in found]


def _send(configured: Mapping[str, Endpoint], claimed: Sequence[Claimed],
          settings: DeliverySettings, environ: Mapping[str, str] | None) -> list[Outcome]:
    by_endpoint: dict[str, list[Claimed]] = {}
    for item in claimed:
        by_endpoint.setdefault(item.endpoint_id, []).append(item)
    if not by_endpoint:
        return []
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client, \
            ThreadPoolExecutor(max_workers=min(settings.parallel, len(by_endpoint))) as pool:
        done = pool.map(lambda item: send_endpoint(configured[item[0]], item[1], client, environ),
                        by_endpoint.items())
        return [outcome for outcomes in done for outcome in outcomes]


def _record(con: Any, outcomes: Sequence[Outcome], now: dt.datetime,
            give_up_after: dt.timedelta) -> int:
    """The outcomes written in one transaction; the number held failed now."""
    if not outcomes:
        return 0
    rand = random.Random()
    nexts = [None if o.delivered else backoff.next_attempt(
        o.claimed.attempts + 1, now, o.claimed.first_attempt_at, give_up_after, rand)
        for o in outcomes]
    give_up = [not o.delivered and n is None for o, n in zip(outcomes, nexts, strict=True)]
    table = pa.table({
        "event_id": [o.claimed.event_id for o in outcomes],
        "endpoint_id": [o.claimed.endpoint_id for o in outcomes],
        "delivered": [o.delivered for o in outcomes],
        "status": pa.array([o.status for o in outcomes], pa.int32()),
        "error": pa.array([o.error for o in outcomes], pa.string()),
        "attempted_at": pa.array([now] * len(outcomes), pa.timestamp("us")),
        "next_attempt_at": pa.array(nexts, pa.timestamp("us")),
        "give_up": give_up})
    with warehouse.registered(con, "delivery_outcomes", table), warehouse.transaction(con):
        warehouse.run(con, "webhooks/delivery_record")
    return sum(give_up)
