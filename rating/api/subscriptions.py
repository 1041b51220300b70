"""POST /subscriptions, GET, PUT and DELETE /subscriptions/{external_id}: subscriptions in
Lago's shape, each write a new version in the landing zone (rating.api.landed_references).

A Lago subscription is a row of our subscriptions files: external_id is the subscription_id,
external_customer_id the account_id, `subscription_at` the start and `ending_at` the end.
Times: a timestamp is kept as the instant it names (written in UTC; the rating prorates to the
microsecond), one without an offset being UTC as in Lago and in our files; a bare date
(`2026-11-01`) is written as a date, which the rating and this API read as midnight in the billing
time zone (ApiSettings.time_zone). No subscription_at: now.

The plan must be one of the service's plans in the catalog (422 otherwise): the plan code is part
of the request's shape, as a metric code is of a counter's. That the customer exists is a
reference check and stays with the rating: a subscription of an account without a link is landed
and held (unknown_account) until the link lands, as from a file.

A plan change is not a new version: the rating would reprice the subscription's whole past with
the new plan. As in Lago's upgrade or downgrade it is a new subscription: end this one (DELETE,
or PUT ending_at) and create the next with its own external_id; a POST or PUT naming another
plan for an existing external_id is refused (plan_change_not_supported). PUT changes ending_at,
name and subscription_at. DELETE terminates now, or at `?ending_at=` (an extension); a
subscription that has not started cannot be cancelled through a version (an end at or before the
start is held by the rating as bad_window), so that is refused too.

A subscription the rating holds as duplicate_subscription (its rows tied as the latest version
disagree, e.g. two hand-landed files) is never built on by a guess: GET answers 409
duplicate_subscription, and POST, PUT and DELETE are refused (422) and land nothing, since a new
version would repeat the terms of whichever file sorts last. A file fixed by hand resolves it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from rating.api import errors
from rating.api.auth import Service
from rating.api.customers import lago_id, store, timestamp_text
from rating.api.landed_references import ReferenceStore

router = APIRouter(tags=["subscriptions"])
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SubscriptionInput(BaseModel):
    """Lago's subscription fields this API keeps (others are accepted and ignored)."""

    model_config = ConfigDict(extra="ignore")
    external_customer_id: str | None = None
    plan_code: str | None = None
    external_id: str | None = None
    name: str | None = None
    subscription_at: str | None = None
    ending_at: str | None = None


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    subscription: SubscriptionInput


class Moment:
    """A start or an end as sent: the text our file gets and the instant it means."""

    def __init__(self, text: str, instant: dt.datetime) -> None:
        self.text, self.instant = text, instant


def moment(value: str, time_zone: str, field: str) -> Moment:
    """A timestamp (its instant, in UTC) or a bare date (midnight in the billing time zone);
    422 invalid_date otherwise."""
    value = value.strip()
    try:
        if _DATE.match(value):
            day = dt.date.fromisoformat(value)
            return Moment(value, dt.datetime.combine(day, dt.time(), ZoneInfo(time_zone))
                          .astimezone(dt.UTC))
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise errors.validation({field: ["invalid_date"]}) from None
    instant = (parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None
               else parsed.astimezone(dt.UTC))
    return Moment(instant.isoformat(), instant)


def subscription_body(service: str, row: dict[str, Any]) -> dict[str, Any]:
    """A version of a subscription as Lago's subscription object."""
    now = dt.datetime.now(dt.UTC)
    start, end = row["start_at"], row.get("end_at")
    status = ("pending" if now < start else
              "terminated" if end is not None and end <= now else "active")
    return {"subscription": {
        "lago_id": lago_id("subscription", service, row["subscription_id"]),
        "external_id": row["subscription_id"],
        "lago_customer_id": lago_id("customer", service, row["account_id"]),
        "external_customer_id": row["account_id"], "name": row.get("name"),
        "plan_code": row["plan_code"], "status": status, "billing_time": "calendar",
        "subscription_at": timestamp_text(start),
        "started_at": None if status == "pending" else timestamp_text(start),
        "ending_at": timestamp_text(end),
        "terminated_at": timestamp_text(end) if status == "terminated" else None,
        "canceled_at": None,
        "created_at": timestamp_text(row.get("created_at") or row.get("landed_at")),
        "updated_at": timestamp_text(row.get("updated_at") or row.get("landed_at")),
        "previous_plan_code": None, "next_plan_code": None, "downgrade_plan_date": None}}


def _land(references: ReferenceStore, service: str, current: dict[str, Any] | None,
          row: dict[str, Any]) -> dict[str, Any]:
    """Write the new version (caller holds the write lock); the row as read back would be."""
    key = row["subscription_id"]
    updated_at = references.subscriptions.next_version_time(
        service, key, None if current is None else current["updated_at"])
    references.write("subscriptions", service, {
        "subscription_id": key, "service": service, "account_id": row["account_id"],
        "plan_code": row["plan_code"], "start": row["start"], "end": row.get("end"),
        "name": row.get("name"), "updated_at": updated_at})
    created = None if current is None else current.get("created_at")
    return {**row, "updated_at": updated_at, "created_at": created or updated_at}


def _current(references: ReferenceStore, service: str, external_id: str) -> dict[str, Any]:
    """The version in force to build a new one on: 404 none, 422 held as a duplicate."""
    found = references.subscriptions.latest(service, external_id)
    if found is None:
        raise errors.not_found("subscription")
    _refuse_duplicate(found)
    return found


def _refuse_duplicate(found: dict[str, Any]) -> None:
    if found["duplicate"]:
        raise errors.validation({"external_id": ["duplicate_subscription"]})


def _as_written(current: dict[str, Any]) -> dict[str, Any]:
    """The current version's fields as a new version repeats them (its bounds as written)."""
    return {"subscription_id": current["subscription_id"], "account_id": current["account_id"],
            "plan_code": current["plan_code"], "name": current.get("name"),
            "start": current["start_text"].strip(), "start_at": current["start_at"],
            "end": (current.get("end_text") or "").strip() or None,
            "end_at": current.get("end_at")}


def _check_window(start: dt.datetime, end: dt.datetime | None, field: str) -> None:
    if end is not None and end <= start:
        raise errors.validation({field: ["invalid_date"]})


def _required(sent: SubscriptionInput) -> tuple[str, str, str]:
    values = {field: (getattr(sent, field) or "").strip()
              for field in ("external_customer_id", "plan_code", "external_id")}
    missing = {field: ["value_is_mandatory"] for field, value in values.items() if not value}
    if missing:
        raise errors.validation(missing)
    return values["external_customer_id"], values["plan_code"], values["external_id"]


@router.post("/subscriptions")
def create_subscription(body: SubscriptionRequest, service: Service,
                        request: Request) -> dict[str, Any]:
    """Create a subscription; the same one again (a retry) answers the one landed."""
    sent = body.subscription
    account_id, plan_code, external_id = _required(sent)
    references = store(request)
    if references.plans.get(plan_code) != service:
        raise errors.validation({"plan_code": ["plan_not_found"]})
    tz = references.time_zone
    start = moment(sent.subscription_at, tz, "subscription_at") if sent.subscription_at else None
    end = moment(sent.ending_at, tz, "ending_at") if sent.ending_at else None
    with references.write_lock:
        if references.subscriptions.held_elsewhere(service, external_id):
            raise errors.validation({"external_id": ["value_already_exist"]})
        current = references.subscriptions.latest(service, external_id)
        if current is not None:
            _refuse_duplicate(current)
            if current["account_id"] != account_id:
                raise errors.validation({"external_id": ["value_already_exist"]})
            if current["plan_code"] != plan_code:
                raise errors.validation({"plan_code": ["plan_change_not_supported"]})
            return subscription_body(service, current)
        start = start or moment(dt.datetime.now(dt.UTC).isoformat(), tz, "subscription_at")
        end_at = None if end is None else end.instant
        _check_window(start.instant, end_at, "ending_at")
        row = _land(references, service, None, {
            "subscription_id": external_id, "account_id": account_id, "plan_code": plan_code,
            "name": sent.name, "start": start.text, "start_at": start.instant,
            "end": None if end is None else end.text, "end_at": end_at})
    return subscription_body(service, row)


@router.get("/subscriptions/{external_id}")
def get_subscription(external_id: str, service: Service, request: Request) -> dict[str, Any]:
    """The subscription's version in force for this service; 404 in another service's, 409
    when the rating holds it as a duplicate."""
    found = store(request).subscriptions.latest(service, external_id)
    if found is None:
        raise errors.not_found("subscription")
    if found["duplicate"]:
        raise errors.ApiError(409, "duplicate_subscription")
    return subscription_body(service, found)


@router.put("/subscriptions/{external_id}")
def update_subscription(external_id: str, body: SubscriptionRequest, service: Service,
                        request: Request) -> dict[str, Any]:
    """A new version with the ending_at, name or subscription_at sent (others kept)."""
    sent, references = body.subscription, store(request)
    with references.write_lock:
        current = _current(references, service, external_id)
        if sent.plan_code and sent.plan_code.strip() != current["plan_code"]:
            raise errors.validation({"plan_code": ["plan_change_not_supported"]})
        row = _as_written(current)
        for field, column in (("subscription_at", "start"), ("ending_at", "end")):
            if field in sent.model_fields_set:
                text = getattr(sent, field)
                if text is None and field == "ending_at":
                    row["end"], row["end_at"] = None, None
                elif text is not None:
                    given = moment(text, references.time_zone, field)
                    row[column], row[f"{column}_at"] = given.text, given.instant
        if "name" in sent.model_fields_set:
            row["name"] = sent.name
        _check_window(row["start_at"], row["end_at"], "ending_at")
        landed = _land(references, service, current, row)
    return subscription_body(service, landed)


@router.delete("/subscriptions/{external_id}")
def terminate_subscription(external_id: str, service: Service, request: Request,
                           status: str | None = None,
                           ending_at: str | None = None) -> dict[str, Any]:
    """Terminate now (Lago), or at `ending_at` (an extension: a timestamp or a date). A
    subscription already ended by then is answered as it is: a retry lands nothing."""
    references = store(request)
    end = (moment(ending_at, references.time_zone, "ending_at") if ending_at
           else moment(dt.datetime.now(dt.UTC).isoformat(), references.time_zone, "ending_at"))
    with references.write_lock:
        current = _current(references, service, external_id)
        if current.get("end_at") is not None and current["end_at"] <= end.instant:
            return subscription_body(service, current)
        if end.instant <= current["start_at"]:
            raise errors.validation({"status": ["pending_subscription_cannot_be_canceled"]
                                     if status == "pending" else ["invalid_date"]})
        row = {**_as_written(current), "end": end.text, "end_at": end.instant}
        landed = _land(references, service, current, row)
    return subscription_body(service, landed)
