"""Lago's usage events (POST /events, /events/batch) as the contract's counters.

An event is one counter over a window of one microsecond at its timestamp:

    transaction_id               -> counter_id `evt:sub:<external_subscription_id>:<id>`, or
                                    `evt:acct:<external_customer_id>:<id>` when no subscription
                                    is named (the idempotency key)
    code                         -> metric
    properties[<field_name>]     -> value (the metric's `field_name` in the catalog, default
                                    `value`); for a unique_count metric -> unique_key, no value
    other string properties      -> dimensions (numbers and nested values are not dimensions)
    external_customer_id         -> account_id
    external_subscription_id     -> account_id of that subscription (rating.api.lookup)
    timestamp                    -> period_start; period_end = timestamp + 1 µs
    (receipt time)               -> pushed_at

Lago's transaction_id is unique per subscription (two subscriptions may share one), hence the
subscription (or account) in the counter_id; the `evt:` prefix keeps events apart from /usage's
counters, whose ids may not start with it (rating.api.counters.RESERVED_PREFIX).

pushed_at is the time the server received the event, not its timestamp: a re-sent
transaction_id with other properties then replaces the earlier one, as a re-pushed counter does
in the contract (Lago keeps the first and ignores the second), and a timestamp far in the past or
the future never makes the row look pushed at a wrong time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from rating.api.counters import (
    EARLIEST_US,
    LATEST_US,
    RESERVED_PREFIX,
    Checker,
    Details,
    Refused,
    Row,
    dimensions_text,
    iso,
    number,
    text,
    timestamp_us,
)

Accounts = Callable[[str], str | None]
"""A subscription's account_id (None: no such subscription of the service)."""


def event_time_us(value: Any, received: int) -> int:
    """Unix seconds (int, decimal, or either as text) or ISO 8601; absent: receipt time."""
    if value is None:
        return received
    if isinstance(value, bool):
        raise Refused("bad_timestamp")
    seconds: Decimal | None = None
    if isinstance(value, (int, Decimal)):
        seconds = Decimal(value)
    elif isinstance(value, str):
        try:
            seconds = Decimal(value.strip())
        except InvalidOperation:
            return timestamp_us(value)
    if seconds is None or not seconds.is_finite():
        raise Refused("bad_timestamp")
    micros = (seconds * 1_000_000).to_integral_value(rounding=ROUND_FLOOR)
    if not EARLIEST_US <= micros < LATEST_US:
        raise Refused("bad_timestamp")
    return int(micros)


def counter_id(item: dict[str, Any], transaction_id: str) -> str:
    """The event's counter_id: the same for the same event sent again."""
    subscription = item.get("external_subscription_id")
    if subscription is not None:
        return f"{RESERVED_PREFIX}sub:{subscription}:{transaction_id}"
    return f"{RESERVED_PREFIX}acct:{item.get('external_customer_id')}:{transaction_id}"


def lago_id(service: str, counter: str) -> str:
    """A stable id in UUID form for the event (Lago answers with one): the same for a re-sent
    event. A plain SHA-1 is a fifth of uuid5's cost, paid on every event."""
    h = hashlib.sha1(f"fusion-rating:{service}:{counter}".encode(),
                     usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def map_events(checker: Checker, service: str, items: list[Any], accounts: Accounts,
               received: int) -> tuple[list[Row], Details, list[dict[str, Any]]]:
    """The counters of the events, the problems by index, and Lago's echo of each event."""
    rows: list[Row] = []
    details: Details = {}
    echoes: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        problems: dict[str, list[str]] = {}
        mapped = _event(checker, service, item, accounts, received, problems)
        if problems or mapped is None:
            details[str(index)] = problems or {"event": ["not_an_object"]}
            continue
        rows.append(mapped)
        echoes.append(_echo(service, item, mapped))
    return rows, details, echoes


def _take(problems: dict[str, list[str]], name: str, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except Refused as refused:
        problems[name] = [str(refused)]
        return None


def _event(checker: Checker, service: str, item: Any, accounts: Accounts, received: int,
           problems: dict[str, list[str]]) -> Row | None:
    if not isinstance(item, dict):
        return None
    transaction_id = _take(problems, "transaction_id", lambda: text(item.get("transaction_id")))
    metric = _take(problems, "code", lambda: checker.metric(service, item.get("code")))
    start = _take(problems, "timestamp", lambda: event_time_us(item.get("timestamp"), received))
    account = _account(item, accounts, problems)
    properties = item.get("properties") or {}
    if not isinstance(properties, dict):
        problems["properties"] = ["bad_type"]
        return None
    for name in _not_finite(properties):
        problems[f"properties.{name}"] = ["not_a_number"]
    value: Decimal | None = None
    unique_key: str | None = None
    if metric is not None:
        raw = properties.get(metric.field_name)
        where = f"properties.{metric.field_name}"
        if metric.aggregation == "unique_count":
            unique_key = _take(problems, where, lambda: _unique_key(raw))
        else:
            value = _take(problems, where, lambda: number(_present(raw)))
    if problems:
        return None
    assert transaction_id is not None and metric is not None and start is not None
    assert account is not None
    dimensions = {k: v for k, v in sorted(properties.items())
                  if isinstance(v, str) and k != metric.field_name}
    dimensions_text = _dimensions(dimensions)
    if not checker.in_periods(start):
        problems["timestamp"] = ["outside_billing_periods"]
        return None
    if start + 1 > checker.period_end_us(start):  # the last µs of a period still fits
        problems["timestamp"] = ["window_crosses_period"]
        return None
    return (counter_id(item, transaction_id), account, metric.code, start, start + 1, value,
            unique_key, dimensions_text, received)


def _not_finite(properties: dict[str, Any]) -> list[str]:
    """The properties holding NaN or Infinity (JSON has no such number; Python's parser
    reads them): refused before the write, as they cannot be echoed."""
    found: list[str] = []
    for name, value in properties.items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, Decimal) and not item.is_finite():
                found.append(str(name))
                break
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _present(value: Any) -> Any:
    if value is None:
        raise Refused("null_required")
    return value


def _unique_key(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Refused("null_required")
    if isinstance(value, (dict, list, bool)):
        raise Refused("bad_type")
    return str(value)


def _dimensions(dimensions: dict[str, str]) -> str | None:
    return dimensions_text(dimensions) if dimensions else None


def _account(item: dict[str, Any], accounts: Accounts,
             problems: dict[str, list[str]]) -> str | None:
    subscription = item.get("external_subscription_id")
    customer = item.get("external_customer_id")
    if subscription is None and customer is None:
        problems["external_subscription_id"] = ["null_required"]
        return None
    if subscription is not None:
        subscription_id = _take(problems, "external_subscription_id", lambda: text(subscription))
        if subscription_id is None:
            return None
        account = accounts(subscription_id)
        if account is None:
            problems["external_subscription_id"] = ["subscription_not_found"]
        return account
    return _take(problems, "external_customer_id", lambda: text(customer))  # type: ignore[no-any-return]


def _echo(service: str, item: dict[str, Any], row: Row) -> dict[str, Any]:
    """The event as Lago answers it."""
    return {"lago_id": lago_id(service, row[0]), "transaction_id": item["transaction_id"],
            "lago_customer_id": None, "lago_subscription_id": None,
            "external_customer_id": item.get("external_customer_id") or row[1],
            "external_subscription_id": item.get("external_subscription_id"),
            "code": row[2], "timestamp": iso(row[3]),
            "properties": item.get("properties") or {},
            "precise_total_amount_cents": None, "created_at": iso(row[8])}
