"""POST /usage over real HTTP: checked per the contract, durable, and what the real ingest makes
of the files the server flushed."""

import datetime as dt
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_api import (
    NOW,
    accepted,
    as_json,
    counter,
    ingest,
    landed_files,
    ledger_rows,
)

pytestmark = pytest.mark.engine


def test_pushed_counters_are_ingested_as_accepted_with_their_exact_values(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    batch = [counter("a", value=Decimal("0.1")), counter("b", value="123456789012.123456789"),
             counter("c", value=7, dimensions='{"region": "ca-west"}'),
             counter("d", value=None, metric="agents", unique_key="agent-7",
                     account_id="nd-1", dimensions=None)]
    batch[3]["service"] = "nexadesk"
    with api_in_thread(settings) as api:
        with api.client("nexacloud") as client:
            answer = client.post("/usage", content=as_json({"counters": batch[:3]}),
                                 headers={"Content-Type": "application/json"})
        with api.client("nexadesk") as client:
            desk = client.post("/usage", json={"counters": batch[3:]})
    assert answer.status_code == 200 and answer.json()["counters_accepted"] == 3
    assert desk.status_code == 200
    ingest(settings)
    rows = accepted(settings)
    assert sorted(rows) == ["a", "b", "c", "d"]
    assert rows["a"]["value"] == Decimal("0.1")
    assert rows["b"]["value"] == Decimal("123456789012.123456789")
    assert rows["c"]["dimensions"] == '{"region":"ca-west"}'
    assert rows["d"]["value"] is None and rows["d"]["unique_key"] == "agent-7"
    assert rows["a"]["period_start"] == NOW.replace(tzinfo=None) - dt.timedelta(hours=2)
    assert all(row["status"] == "accepted" for row in ledger_rows(settings))


def test_a_batch_with_bad_items_is_refused_whole_with_the_reason_of_each_by_index(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    month_end = NOW.replace(day=28) + dt.timedelta(days=7)
    crossing = month_end.replace(day=1, hour=0)
    batch = [counter("ok"),
             counter("null", account_id=None),
             counter("neg", value="-1"),
             counter("window", period_end=NOW.replace(year=2020).isoformat()),
             counter("cross", period_start=(crossing - dt.timedelta(
                 hours=2)).isoformat(), period_end=(crossing + __import__(
                     "datetime").timedelta(hours=8)).isoformat()),
             counter("metric", metric="agents"),
             counter("dims", dimensions='{"region": 3}'),
             counter("nan", value="twelve"),
             counter("bool", value=True),
             counter("time", pushed_at="yesterday")]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/usage", json={"counters": batch})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "validation_errors" and body["error"] == "Unprocessable Entity"
    assert body["error_details"] == {
        "1": {"account_id": ["null_required"]}, "2": {"value": ["negative_value"]},
        "3": {"period_end": ["bad_window"]}, "4": {"period_end": ["window_crosses_period"]},
        "5": {"metric": ["unknown_metric"]}, "6": {"dimensions": ["bad_dimensions_json"]},
        "7": {"value": ["not_a_number"]}, "8": {"value": ["not_a_number"]},
        "9": {"pushed_at": ["bad_timestamp"]}}
    assert landed_files(settings) == []


def test_a_counter_of_another_service_is_403_and_nothing_is_kept(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexadesk") as client:
        answer = client.post("/usage", json={"counters": [counter("x", service="nexacloud")]})
    assert answer.status_code == 403
    assert answer.json() == {"status": 403, "error": "Forbidden", "code": "forbidden_service"}
    assert landed_files(settings) == []


def test_a_retried_batch_changes_nothing_in_what_is_accepted(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    batch = [counter(f"c{i}", value=str(i)) for i in range(5)]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        first = client.post("/usage", json={"counters": batch})
        again = client.post("/usage", json={"counters": batch})
    assert first.status_code == again.status_code == 200
    ingest(settings)
    rows = accepted(settings)
    assert {k: v["value"] for k, v in rows.items()} == {f"c{i}": Decimal(i) for i in range(5)}
    statuses = sorted(r["status"] for r in ledger_rows(settings))
    assert statuses == ["accepted"] * 5 + ["superseded"] * 5


def test_a_body_over_the_limit_is_413_whether_or_not_it_says_its_length(tmp_path: Path
                                                                      ) -> None:
    settings = settings_in(tmp_path, max_request_bytes=2000)
    big = {"counters": [counter(f"c{i}") for i in range(20)]}

    def chunks() -> Iterator[bytes]:
        yield json.dumps(big).encode()

    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        declared = client.post("/usage", json=big)
        streamed = client.post("/usage", content=chunks(),
                               headers={"Content-Type": "application/json"})
    assert declared.status_code == streamed.status_code == 413
    assert declared.json()["code"] == streamed.json()["code"] == "request_too_large"
    assert declared.json()["error_details"] == {"body": ["at most 2000 bytes"]}


def test_more_items_than_the_limit_is_413_naming_the_limit(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, max_batch_items=3)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/usage", json={"counters": [counter(str(i)) for i in range(4)]})
    assert answer.status_code == 413
    assert answer.json()["error_details"] == {"counters": ["at most 3 items"]}


def test_past_the_unflushed_limit_writes_get_429_with_retry_after(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, max_unflushed_rows=4, max_batch_items=4,
                           flush_interval_seconds=3600.0)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        first = client.post("/usage", json={"counters": [counter(str(i)) for i in range(3)]})
        second = client.post("/usage", json={"counters": [counter(f"x{i}") for i in range(3)]})
    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["Retry-After"] == second.headers["x-ratelimit-reset"] == "3600"
    assert second.json()["code"] == "too_many_unflushed_counters"
    ingest(settings)   # the server's stop landed the first batch
    assert sorted(accepted(settings)) == ["0", "1", "2"]


def test_the_flusher_lands_a_file_once_enough_counters_wait(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_rows=3, flush_interval_seconds=3600.0)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        assert client.post("/usage", json={"counters": [
            counter(str(i)) for i in range(3)]}).status_code == 200
        deadline = time.monotonic() + 10
        while not landed_files(settings) and time.monotonic() < deadline:
            time.sleep(0.05)
        files = landed_files(settings)
    assert len(files) == 1
    assert files[0].relative_to(settings.landing).parts[:3] == ("usage", "service=nexacloud",
                                                                "api")


def test_invalid_json_is_400_in_lagos_shape(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client("nexacloud") as client:
        answer = client.post("/usage", content=b"{not json",
                             headers={"Content-Type": "application/json"})
        missing = client.post("/usage", json={"events": []})
    assert answer.status_code == 400 and answer.json()["code"] == "bad_request"
    assert missing.status_code == 422
    assert missing.json()["error_details"] == {"counters": ["null_required"]}


def test_push_counters_sends_batches_durably_and_raises_on_a_refusal(tmp_path: Path) -> None:
    from rating.api.client import PushRefused, push_counters

    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api:
        sent = push_counters(api.url, api.keys["nexacloud"], [
            counter(f"p{i}", value=Decimal(i) / 4) for i in range(7)], batch=3)
        with pytest.raises(PushRefused) as refused:
            push_counters(api.url, api.keys["nexacloud"], [counter("bad", value="-2")])
    assert sent == 7
    assert refused.value.status == 422
    ingest(settings)
    assert accepted(settings)["p3"]["value"] == Decimal("0.75")


def test_what_the_ingest_would_quarantine_from_the_counter_alone_is_refused_at_once(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    future = (NOW + dt.timedelta(days=3)).isoformat()
    with api_in_thread(settings) as api, api.client("nexadesk") as client:
        answer = client.post("/usage", json={"counters": [
            counter("big", value="1000000000000001", metric="conversations"),
            counter("later", metric="conversations", pushed_at=future),
            counter("agent", value=None, metric="agents"),
            counter(" ", metric="conversations")]})
    assert answer.status_code == 422
    assert answer.json()["error_details"] == {
        "0": {"value": ["value_out_of_range"]}, "1": {"pushed_at": ["pushed_at_in_future"]},
        "2": {"unique_key": ["null_required"]}, "3": {"counter_id": ["null_required"]}}


def test_a_value_past_nine_decimals_is_rounded_as_the_ingest_rounds_a_file(tmp_path: Path
                                                                           ) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        assert client.post("/usage", content=as_json({"counters": [
            counter("a", value=Decimal("0.0000000015")),
            counter("b", value=Decimal("2.0000000005"))]}),
            headers={"Content-Type": "application/json"}).status_code == 200
    ingest(settings)
    rows = accepted(settings)
    assert rows["a"]["value"] == Decimal("0.000000002")
    assert rows["b"]["value"] == Decimal("2.000000001")


def test_the_usage_endpoint_documents_its_body_in_openapi(tmp_path: Path) -> None:
    with api_in_thread(settings_in(tmp_path)) as api, api.client() as client:
        spec = client.get(f"{api.url}/openapi.json").json()
    body = spec["paths"]["/api/billing/v1/usage"]["post"]["requestBody"]
    assert "counters" in body["content"]["application/json"]["schema"]["properties"]
    assert "/api/billing/v1/events/batch" in spec["paths"]


def test_settings_where_a_full_batch_could_never_be_taken_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_batch_items"):
        settings_in(tmp_path, max_unflushed_rows=4, max_batch_items=5)


def test_health_says_degraded_while_the_landing_zone_cannot_be_written(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, flush_interval_seconds=0.2)
    settings.landing.mkdir(parents=True)
    (settings.landing / "usage").write_text("in the way")   # the usage folder cannot be made
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        assert client.post("/usage", json={"counters": [counter("h")]}).status_code == 200
        deadline = time.monotonic() + 10
        while (health := client.get("/health")).status_code == 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (settings.landing / "usage").unlink()
        while client.get("/health").status_code != 200:
            assert time.monotonic() < deadline + 10
            time.sleep(0.05)
    assert health.status_code == 503
    assert health.json()["status"] == "degraded" and health.json()["unflushed_counters"] == 1
    assert health.json()["flush_error"].startswith("landing zone not writable: ")
    assert str(tmp_path) not in health.text
    ingest(settings)
    assert sorted(accepted(settings)) == ["h"]
