"""POST /subscriptions, GET, PUT and DELETE /subscriptions/{external_id} over real HTTP: each
write lands a new version; the rating bills the latest one, a terminated subscription ends at
its date; a write that did not finish is never read by the ingest."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from rating.api import landed_references
from rating.rate.engine import RateRequest, rate
from rating.rate.guard import GuardSettings
from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    quarantine,
    table,
    usage_row,
    utc,
)

pytestmark = pytest.mark.engine

NEW = {"external_customer_id": "nc-1", "plan_code": "cloud-standard", "external_id": "sub-api-1",
       "subscription_at": "2026-10-01T04:00:00Z", "name": "Cloud for Anne"}


def other_subscriptions(landing: Landing) -> None:
    """The default subscriptions but NexaCloud's: the API gives nc-1 its subscription."""
    landing.subscriptions([s for s in DEFAULT_SUBSCRIPTIONS if s[1] != "nexacloud"])


def api_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "subscriptions" / "api").rglob("*") if p.is_file())


def test_a_subscription_is_created_and_read_back_in_lagos_shape(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        created = client.post("/subscriptions", json={"subscription": NEW})
        read = client.get("/subscriptions/sub-api-1")
        retried = client.post("/subscriptions", json={"subscription": NEW})
    assert created.status_code == read.status_code == retried.status_code == 200
    body = read.json()["subscription"]
    assert created.json()["subscription"] == body
    assert {k: body[k] for k in ("external_id", "external_customer_id", "plan_code", "name",
                                 "status", "subscription_at", "started_at", "ending_at",
                                 "terminated_at")} == {
        "external_id": "sub-api-1", "external_customer_id": "nc-1",
        "plan_code": "cloud-standard", "name": "Cloud for Anne", "status": "active",
        "subscription_at": "2026-10-01T04:00:00Z", "started_at": "2026-10-01T04:00:00Z",
        "ending_at": None, "terminated_at": None}
    # A retry of the same creation answers the subscription landed and lands nothing more.
    assert retried.json()["subscription"]["lago_id"] == body["lago_id"]
    assert len(api_files(settings.landing)) == 1


@pytest.mark.parametrize(("change", "details"), [
    pytest.param({"external_id": None}, {"external_id": ["value_is_mandatory"]}, id="no-id"),
    pytest.param({"plan_code": "cloud-gold"}, {"plan_code": ["plan_not_found"]},
                 id="unknown-plan"),
    pytest.param({"plan_code": "desk-team"}, {"plan_code": ["plan_not_found"]},
                 id="another-services-plan"),
    pytest.param({"ending_at": "2026-09-01"}, {"ending_at": ["invalid_date"]},
                 id="ends-before-it-starts"),
    pytest.param({"subscription_at": "the first"}, {"subscription_at": ["invalid_date"]},
                 id="not-a-date"),
])
def test_a_subscription_the_contract_refuses_is_422_in_lagos_shape(
        tmp_path: Path, change: dict[str, Any], details: dict[str, list[str]]) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/subscriptions", json={"subscription": {**NEW, **change}})
    assert answer.status_code == 422
    assert answer.json() == {"status": 422, "error": "Unprocessable Entity",
                             "code": "validation_errors", "error_details": details}
    assert api_files(settings.landing) == []


def test_another_services_key_neither_reads_nor_reuses_the_subscription(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api:
        with api.client("nexacloud") as cloud:
            cloud.post("/subscriptions", json={"subscription": NEW})
        with api.client("nexadesk") as desk:
            read = desk.get("/subscriptions/sub-api-1")
            ended = desk.delete("/subscriptions/sub-api-1")
            taken = desk.post("/subscriptions", json={"subscription": {
                **NEW, "external_customer_id": "nd-1", "plan_code": "desk-team"}})
    assert read.status_code == ended.status_code == 404
    assert read.json()["code"] == "subscription_not_found"
    # The rating keys subscriptions by id alone: another service's id is never landed again.
    assert taken.status_code == 422
    assert taken.json()["error_details"] == {"external_id": ["value_already_exist"]}


def test_a_plan_change_is_refused_for_an_existing_subscription(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client("nexacloud") as client:
        client.post("/subscriptions", json={"subscription": NEW})
        other = {**NEW, "plan_code": "cloud-enterprise"}
        posted = client.post("/subscriptions", json={"subscription": other})
        put = client.put("/subscriptions/sub-api-1", json={"subscription": other})
    assert posted.status_code == put.status_code == 422
    assert put.json()["error_details"] == {"plan_code": ["plan_change_not_supported"]}


def test_put_lands_a_new_version_and_the_latest_is_answered(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        client.post("/subscriptions", json={"subscription": NEW})
        put = client.put("/subscriptions/sub-api-1", json={"subscription": {
            "ending_at": "2099-01-01T00:00:00+01:00", "name": "Renamed"}})
        read = client.get("/subscriptions/sub-api-1").json()["subscription"]
    assert put.json()["subscription"] == read
    assert (read["ending_at"], read["name"], read["status"], read["subscription_at"]) == (
        "2098-12-31T23:00:00Z", "Renamed", "active", "2026-10-01T04:00:00Z")
    assert len(api_files(settings.landing)) == 2


def test_delete_terminates_now_and_a_retry_lands_nothing(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        client.post("/subscriptions", json={"subscription": NEW})
        before = dt.datetime.now(dt.UTC)
        ended = client.delete("/subscriptions/sub-api-1")
        again = client.delete("/subscriptions/sub-api-1")
    body = ended.json()["subscription"]
    assert ended.status_code == again.status_code == 200
    assert body["status"] == "terminated"
    assert body["terminated_at"] == body["ending_at"]
    assert dt.datetime.fromisoformat(body["terminated_at"]) >= before
    assert again.json()["subscription"]["terminated_at"] == body["terminated_at"]
    assert len(api_files(settings.landing)) == 2


def test_a_pending_subscription_cannot_be_cancelled_through_a_version(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client("nexacloud") as client:
        created = client.post("/subscriptions", json={"subscription": {
            **NEW, "subscription_at": "2099-01-01"}})
        cancelled = client.delete("/subscriptions/sub-api-1", params={"status": "pending"})
    assert created.json()["subscription"]["status"] == "pending"
    assert created.json()["subscription"]["started_at"] is None
    assert cancelled.status_code == 422
    assert cancelled.json()["error_details"] == {
        "status": ["pending_subscription_cannot_be_canceled"]}


def test_the_rating_bills_the_api_subscription_and_its_termination_date(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    other_subscriptions(landing)
    before_end = usage_row(value=300, start="2026-10-19T10:00Z")
    after_end = usage_row(value=7, start="2026-10-25T10:00Z")
    landing.usage("a.parquet", [before_end, after_end])
    wh = tmp_path / "warehouse.duckdb"
    settings = settings_in(tmp_path, landing=landing.root)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        client.post("/subscriptions", json={"subscription": {
            **NEW, "subscription_at": "2026-10-01"}})
        landing.rate(wh)
        open_ended = table(wh, "validated_subscriptions",
                           "subscription_id, account_id, plan_code, start_at, end_at",
                           "service = 'nexacloud'")
        # Terminated at a date (the extension): midnight in the billing time zone.
        ended = client.delete("/subscriptions/sub-api-1", params={"ending_at": "2026-10-20"})
        # The month's total falls: the guard objects, and a person accepts the termination.
        rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                         period="2026-10", guard=GuardSettings(accept_changes=True)))
        terminated = table(wh, "validated_subscriptions", "subscription_id, start_at, end_at",
                           "service = 'nexacloud'")
    assert open_ended == [("sub-api-1", "nc-1", "cloud-standard", utc("2026-10-01T04:00"),
                           None)]
    assert ended.json()["subscription"]["ending_at"] == "2026-10-20T04:00:00Z"
    assert terminated == [("sub-api-1", utc("2026-10-01T04:00"), utc("2026-10-20T04:00"))]
    assert table(wh, "reference_quarantine") == []
    assert table(wh, "usage_rollups", "subscription_id, metric, quantity",
                 "subscription_id = 'sub-api-1'") == [("sub-api-1", "vcpu_hours", Decimal(300))]
    assert [(r[0], r[3]) for r in quarantine(wh)] == [
        ("no_subscription", after_end["counter_id"])]


def test_a_write_cut_short_is_never_read_by_the_ingest(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    landing = Landing(tmp_path / "landing")
    other_subscriptions(landing)
    landing.usage("a.parquet", [usage_row(value=3)])
    settings = settings_in(tmp_path, landing=landing.root)

    def crash(source: Any, target: Any) -> None:
        raise OSError("the machine stopped before the rename")

    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        monkeypatch.setattr(landed_references.os, "replace", crash)
        try:
            failed = client.post("/subscriptions", json={"subscription": NEW}).status_code
        except httpx.TransportError:
            failed = None  # the server gave up on the connection: no answer, never a 2xx
        monkeypatch.undo()
        with api.client("nexacloud") as fresh:  # the failed call's connection is closed
            missing = fresh.get("/subscriptions/sub-api-1")
    left = api_files(landing.root)
    assert failed in (500, None)
    assert missing.status_code == 404
    assert [p.name.endswith(".parquet.partial") for p in left] == [True]
    # Cut the temporary file short as a crash would: the ingest still never looks at it.
    left[0].write_bytes(left[0].read_bytes()[:20])
    wh = tmp_path / "warehouse.duckdb"
    landing.rate(wh)
    assert table(wh, "held_inputs", "kind, file_path") == []
    assert table(wh, "reference_files", "file_path", "kind = 'subscriptions'") == [
        ("subscriptions/subscriptions.csv",)]
    assert [r[0] for r in quarantine(wh)] == ["no_subscription"]
