"""POST /events and /events/batch: Lago's event shape as the contract's counters, over real
HTTP, and ingested by the real ingest."""

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest

from rating.api import lookup
from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_api import NOW, accepted, as_json, ingest

pytestmark = pytest.mark.engine
JSON = {"Content-Type": "application/json"}
STAMP = NOW - dt.timedelta(hours=3)


def event(transaction_id: str, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {"transaction_id": transaction_id,
                               "external_customer_id": "nc-1", "code": "egress_gb",
                               "timestamp": int(STAMP.timestamp()),
                               "properties": {"value": Decimal("2.25"), "region": "ca-east"}}
    body.update(fields)
    return body


def test_an_event_is_answered_in_lagos_shape_and_ingested_as_a_counter(tmp_path: Path
                                                                       ) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/events", content=as_json({"event": event("t-1")}), headers=JSON)
    assert answer.status_code == 200
    echoed = answer.json()["event"]
    assert echoed["transaction_id"] == "t-1" and echoed["code"] == "egress_gb"
    assert echoed["external_customer_id"] == "nc-1"
    assert echoed["timestamp"] == STAMP.isoformat().replace("+00:00", "Z")
    assert set(echoed) >= {"lago_id", "lago_customer_id", "lago_subscription_id",
                           "external_subscription_id", "properties", "created_at"}
    ingest(settings)
    row = accepted(settings)["evt:acct:nc-1:t-1"]
    assert row["account_id"] == "nc-1" and row["metric"] == "egress_gb"
    assert row["value"] == Decimal("2.25")
    assert row["dimensions"] == '{"region":"ca-east"}'
    assert row["period_start"] == STAMP.replace(tzinfo=None)
    assert row["period_end"] - row["period_start"] == dt.timedelta(microseconds=1)


def test_timestamps_are_read_as_lago_sends_them(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    seconds = Decimal(int(STAMP.timestamp())) + Decimal("0.25")
    events = [event("int"), event("decimal", timestamp=seconds),
              event("text", timestamp=str(seconds)),
              event("iso", timestamp=STAMP.isoformat()), event("none", timestamp=None)]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/events/batch", content=as_json({"events": events}),
                             headers=JSON)
    assert answer.status_code == 200
    assert [e["transaction_id"] for e in answer.json()["events"]] == [
        "int", "decimal", "text", "iso", "none"]
    ingest(settings)
    rows = {key.rsplit(":", 1)[1]: row for key, row in accepted(settings).items()}
    quarter = STAMP.replace(tzinfo=None) + dt.timedelta(milliseconds=250)
    assert rows["int"]["period_start"] == rows["iso"]["period_start"] == STAMP.replace(
        tzinfo=None)
    assert rows["decimal"]["period_start"] == rows["text"]["period_start"] == quarter
    assert rows["none"]["period_start"] > NOW.replace(tzinfo=None) - dt.timedelta(hours=1)


def test_a_subscription_is_mapped_to_its_account_the_latest_row_winning(tmp_path: Path
                                                                        ) -> None:
    settings = settings_in(tmp_path)
    folder = settings.landing / "subscriptions"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(
        "subscription_id,service,account_id,plan_code,start,end\n"
        "sub-1,nexacloud,nc-old,cloud-payg,2026-01-01,\n"
        "sub-2,nexadesk,nd-2,desk-pro,2026-01-01,\n")
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        first = client.post("/events", content=as_json({"event": event(
            "s-1", external_customer_id=None, external_subscription_id="sub-1")}), headers=JSON)
        (folder / "b.csv").write_text(
            "subscription_id,service,account_id,plan_code,start,end,version_at\n"
            "sub-1,nexacloud,nc-new,cloud-payg,2026-01-01,,2026-11-02T00:00:00Z\n")
        time.sleep(lookup.RELIST_SECONDS + 0.1)   # a found subscription is looked at again so
        second = client.post("/events", content=as_json({"event": event(
            "s-2", external_customer_id=None, external_subscription_id="sub-1")}), headers=JSON)
        other = client.post("/events", content=as_json({"event": event(
            "s-3", external_customer_id=None, external_subscription_id="sub-2")}), headers=JSON)
    assert first.status_code == second.status_code == 200
    assert first.json()["event"]["external_subscription_id"] == "sub-1"
    assert other.status_code == 422   # another service's subscription is not found
    assert other.json()["error_details"] == {
        "external_subscription_id": ["subscription_not_found"]}
    ingest(settings)
    rows = accepted(settings)
    assert rows["evt:sub:sub-1:s-1"]["account_id"] == "nc-old"
    assert rows["evt:sub:sub-1:s-2"]["account_id"] == "nc-new"


def test_a_batch_with_a_bad_event_is_refused_whole_by_index(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    events = [event("ok"), event("no-value", properties={"region": "ca"}),
              event("unknown", code="map_tiles"),
              event("nobody", external_customer_id=None),
              event("bad-time", timestamp="next tuesday")]
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/events/batch", content=as_json({"events": events}),
                             headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["error_details"] == {
        "1": {"properties.value": ["null_required"]}, "2": {"code": ["unknown_metric"]},
        "3": {"external_subscription_id": ["null_required"]},
        "4": {"timestamp": ["bad_timestamp"]}}
    assert not (settings.landing / "usage").exists()


def test_a_unique_count_metric_takes_its_unique_key_from_its_field_name(tmp_path: Path
                                                                        ) -> None:
    settings = settings_in(tmp_path)
    events = [event("a1", external_customer_id="nd-1", code="agents",
                    properties={"agent_id": "agent-7", "team": "support"})]
    with api_in_thread(settings) as api, api.client("nexadesk") as client:
        answer = client.post("/events/batch", content=as_json({"events": events}),
                             headers=JSON)
    assert answer.status_code == 200
    ingest(settings)
    row = accepted(settings)["evt:acct:nd-1:a1"]
    assert row["unique_key"] == "agent-7" and row["value"] is None
    assert row["dimensions"] == '{"team":"support"}'


def test_a_resent_transaction_with_other_properties_replaces_the_first(tmp_path: Path
                                                                       ) -> None:
    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        for value in (Decimal(1), Decimal(5)):
            assert client.post("/events", content=as_json({"event": event(
                "t-1", properties={"value": value})}), headers=JSON).status_code == 200
    ingest(settings)
    assert accepted(settings)["evt:acct:nc-1:t-1"]["value"] == Decimal(5)


def test_subscription_files_in_csv_and_parquet_with_extra_columns_are_read_together(
        tmp_path: Path) -> None:
    import pyarrow
    import pyarrow.parquet

    folder = tmp_path / "landing" / "subscriptions"
    (folder / "api").mkdir(parents=True)
    (folder / "a.csv").write_text("subscription_id,service,account_id,plan_code,start\n"
                                  "sub-1,nexacloud,nc-1,cloud-payg,2026-01-01\n"
                                  "sub-2,nexacloud,nc-2,cloud-payg,2026-01-01\n")
    pyarrow.parquet.write_table(pyarrow.table({
        "subscription_id": ["sub-1", "sub-1"], "service": ["nexacloud"] * 2,
        "account_id": ["nc-late", "nc-early"], "plan_code": ["cloud-payg"] * 2,
        "start": ["2026-01-01"] * 2,
        "version_at": ["2026-11-03T00:00:00Z", "2026-11-01T00:00:00Z"]}),
        folder / "api" / "b.parquet")
    (folder / "broken.parquet").write_bytes(b"not parquet")
    accounts = lookup.SubscriptionAccounts(tmp_path / "landing")
    assert accounts.account_of("nexacloud", "sub-1") == "nc-late"
    assert accounts.account_of("nexacloud", "sub-2") == "nc-2"
    assert accounts.account_of("nexadesk", "sub-2") is None


def test_a_usage_counter_may_not_take_an_id_in_the_events_namespace(tmp_path: Path) -> None:
    from tests.support.usage_api import counter

    settings = settings_in(tmp_path)
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/usage", json={"counters": [counter("evt:acct:nc-1:t-1")]})
    assert answer.status_code == 422
    assert answer.json()["error_details"] == {"0": {"counter_id": ["reserved_counter_id"]}}


def test_an_event_property_that_is_not_a_finite_number_is_refused_before_the_write(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    body = (b'{"events": [{"transaction_id": "t", "external_customer_id": "nc-1", '
            b'"code": "egress_gb", "properties": {"value": 1, "note": Infinity, '
            b'"deep": {"x": [NaN]}}}]}')
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        answer = client.post("/events/batch", content=body, headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["error_details"] == {"0": {"properties.note": ["not_a_number"],
                                                    "properties.deep": ["not_a_number"]}}
    assert not (settings.landing / "usage").exists()
