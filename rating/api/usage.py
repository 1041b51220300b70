"""POST /usage, /events, /events/batch: counters checked, then made durable, then answered.

A batch is refused whole (422, each bad item by index in `error_details`) when any item breaks
the contract, as Lago's batch endpoint does: nothing of it is kept, so the app fixes and re-sends
the batch without working out which items went through. A counter naming another service than
the key's: 403 `forbidden_service`, nothing kept.

A 2xx goes out only once the batch is fsynced in the write-ahead store (rating.api.wal); the
flusher lands it in the landing zone (rating.api.flush). A retry of the same batch changes
nothing in what is rated: its counters carry the same counter_ids, and the contract keeps one
row per counter_id (the latest pushed_at; on a tie, the row in the file whose path sorts last,
and the flushed files' names sort in the order they were written), so the second copy replaces
the first with the same values.

Backpressure: a body over `max_request_bytes` is 413 (rating.api.app.BodyLimit: by its
Content-Length, or counted as it is read); more than `max_batch_items` items is 413 naming
the limit; past `max_unflushed_rows` counters not yet landed, or with the writer's queue full,
429 with Retry-After and Lago's `x-ratelimit-reset` (Lago's clients wait and retry a 429 on
their own); 503 only when the disk refused the write.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from rating.api import errors
from rating.api.auth import Service
from rating.api.counters import Checker, Row, now_us, parse_json
from rating.api.events import map_events
from rating.api.flush import Flusher
from rating.api.lookup import SubscriptionAccounts
from rating.api.settings import ApiSettings
from rating.api.wal import Submitted, Wal, encode, lock_folder
from rating.catalog import load_catalog

router = APIRouter(tags=["usage"])
QUEUE_BATCHES = 10_000
"""Batches waiting for the write-ahead writer; more is 429 (it fell that far behind)."""


@dataclass
class UsageStore:
    """The write-ahead store, its flusher and the checks, for one server."""

    settings: ApiSettings
    checker: Checker
    wal: Wal
    flusher: Flusher
    subscriptions: SubscriptionAccounts
    lock: int
    """The open fd of `<state>/wal/LOCK` (rating.api.wal.lock_folder), closed at stop."""

    def unflushed_rows(self) -> int:
        return self.flusher.pending_rows + self.wal.queued_rows

    async def append(self, service: str, received: int, rows: list[Row]) -> int:
        """The batch's seq once it is durable; 429 if the store is too far behind."""
        if self.unflushed_rows() + len(rows) > self.settings.max_unflushed_rows:
            raise self.busy()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()

        def settle(seq: int, error: BaseException | None) -> None:
            if not future.done():
                if error is None:
                    future.set_result(seq)
                else:
                    future.set_exception(error)

        def done(seq: int, error: BaseException | None) -> None:
            loop.call_soon_threadsafe(settle, seq, error)

        try:
            self.wal.submit(Submitted(service, received, rows, encode(service, received, rows),
                                      done))
        except queue.Full:
            raise self.busy() from None
        try:
            return await future
        except OSError:
            raise errors.ApiError(503, "write_ahead_store_unavailable",
                                  retry_after=self.retry_after()) from None

    def retry_after(self) -> int:
        return max(1, round(self.settings.flush_interval_seconds))

    def busy(self) -> errors.ApiError:
        return errors.ApiError(429, "too_many_unflushed_counters",
                               {"unflushed_counters": [str(self.unflushed_rows())]},
                               retry_after=self.retry_after())


def open_store(settings: ApiSettings) -> UsageStore:
    """Read the write-ahead store back (what was not landed waits again) and start its threads."""
    checker = Checker(load_catalog(settings.catalog), settings.time_zone)
    lock = lock_folder(settings.state / "wal")
    try:
        holder: list[Flusher] = []
        wal = Wal(settings.state / "wal", QUEUE_BATCHES, lambda batches: holder[0].add(batches))
        checkpoint = wal.read_checkpoint()
        replayed = wal.replay(checkpoint)
        flusher = Flusher(settings.landing, wal, checkpoint, settings.flush_interval_seconds,
                          settings.flush_rows)
        holder.append(flusher)
        flusher.add(replayed)
        wal.start()
        flusher.start()
    except BaseException:
        os.close(lock)
        raise
    return UsageStore(settings, checker, wal, flusher, SubscriptionAccounts(settings.landing),
                      lock)


def start(app: FastAPI) -> None:
    app.state.usage = open_store(app.state.settings)


def stop(app: FastAPI) -> None:
    """Write what is queued, then land everything in the landing zone."""
    store: UsageStore | None = getattr(app.state, "usage", None)
    if store is not None:
        store.wal.stop()
        store.flusher.stop()
        os.close(store.lock)


async def read_json(request: Request) -> Any:
    """The body as JSON (numbers exact); rating.api.app.BodyLimit stops one over the limit."""
    body = await request.body()
    try:
        return parse_json(body)
    except (ValueError, RecursionError):
        raise errors.ApiError(400, "bad_request", {"body": ["invalid_json"]}) from None


def items_of(request: Request, data: Any, key: str) -> list[Any]:
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise errors.validation({key: ["null_required" if items is None else "bad_type"]})
    limit = request.app.state.settings.max_batch_items
    if len(items) > limit:
        raise errors.ApiError(413, "too_many_items", {key: [f"at most {limit} items"]})
    return items


def json_response(body: dict[str, Any]) -> Response:
    """JSON with Decimals exact (an integer as a number, else as a string, never a float)."""
    return Response(json.dumps(body, default=_exact, separators=(",", ":")),
                    media_type="application/json")


def _exact(value: Any) -> Any:
    # A whole number of at most 18 digits as a JSON number; any other Decimal (an event's
    # property `1e400000` included: int() of it would take seconds of the event loop) as its
    # text, exact. Non-finite numbers never get here (refused: rating.api.events).
    if isinstance(value, Decimal):
        if value.is_finite() and value.adjusted() < 18 and value == value.to_integral_value():
            return int(value)
        return str(value)
    raise TypeError(type(value).__name__)


_COUNTERS_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "required": ["counters"], "properties": {"counters": {
        "type": "array", "items": {"type": "object", "required": [
            "counter_id", "account_id", "metric", "period_start", "period_end", "pushed_at"],
            "properties": {name: {} for name in (
                "counter_id", "account_id", "metric", "period_start", "period_end", "value",
                "unique_key", "dimensions", "pushed_at", "service")}}}}}}}}}


@router.post("/usage", openapi_extra=_COUNTERS_BODY)
async def post_usage(request: Request, service: Service) -> Response:
    """A batch of usage counters per the contract (docs/usage-counters.md), durable when
    answered."""
    store: UsageStore = request.app.state.usage
    items = items_of(request, await read_json(request), "counters")
    if any(isinstance(item, dict) and item.get("service") not in (None, service)
           for item in items):
        raise errors.ApiError(403, "forbidden_service")
    received = now_us()
    rows, details = store.checker.counters(service, items, received)
    if details:
        raise errors.validation(details)
    seq = await store.append(service, received, rows)
    return json_response({"counters_accepted": len(rows), "sequence": seq})


async def _events(request: Request, service: str, items: list[Any],
                  single: bool = False) -> list[dict[str, Any]]:
    store: UsageStore = request.app.state.usage
    received = now_us()
    rows, details, echoes = map_events(
        store.checker, service, items,
        lambda subscription: store.subscriptions.account_of(service, subscription), received)
    if details:
        raise errors.validation(details["0"] if single else details)
    await store.append(service, received, rows)
    return echoes


@router.post("/events", openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "properties": {"event": {
        "type": "object"}}}}}}})
async def post_event(request: Request, service: Service) -> Response:
    """One usage event in Lago's shape, as a counter (rating.api.events)."""
    data = await read_json(request)
    event = data.get("event") if isinstance(data, dict) else None
    if event is None:
        raise errors.validation({"event": ["null_required"]})
    echoes = await _events(request, service, [event], single=True)
    return json_response({"event": echoes[0]})


@router.post("/events/batch", openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "properties": {"events": {
        "type": "array", "items": {"type": "object"}}}}}}}})
async def post_events(request: Request, service: Service) -> Response:
    """A batch of usage events in Lago's shape, refused whole if one is wrong."""
    items = items_of(request, await read_json(request), "events")
    return json_response({"events": await _events(request, service, items)})
