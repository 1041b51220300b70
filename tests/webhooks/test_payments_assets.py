"""The odoo_payment_states asset and its hourly schedule in Dagster, in process, against the
Odoo test server: a payment registered in Odoo is materialized as one event with the poll's
counts; the schedule skips without ODOO_URL and asks for one run per hour otherwise."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from assets.payments import odoo_payment_states
from pipelines.resources import OdooResource, RatingResource
from pipelines.schedules import hourly_payments
from rating.odoo.posting import post_period
from tests.support.odoo_server import OdooTestServer
from tests.support.payments import register_payment
from tests.support.posting import PERIOD, gateway_for

pytestmark = pytest.mark.engine
ZONE = ZoneInfo("America/Toronto")


def test_the_asset_records_a_payment_with_its_event_and_refreshes_the_analysts_copy(
        posting_wh: Path) -> None:
    with OdooTestServer() as server:
        gateway = gateway_for(server, "jsonrpc")
        post_period(posting_wh, PERIOD, gateway)
        [move] = [m for m in server.records("account.move")
                  if m["x_fc_billing_key"] == "C3/nexamaps/2026-10"]
        register_payment(gateway, move["id"])
        odoo = OdooResource(url=server.url, database=server.db, login=server.login,
                            password=server.password)
        result = dg.materialize([odoo_payment_states], resources={
            "rating": RatingResource(warehouse=str(posting_wh)), "odoo": odoo})
    assert result.success
    metadata = result.asset_materializations_for_node("odoo_payment_states")[0].metadata
    assert {name: metadata[name].value for name in ("checked", "changed", "events",
                                                   "now_final")} == {
        "checked": 8, "changed": 1, "events": 1, "now_final": 1}
    copy = posting_wh.with_name("warehouse-analysts.duckdb")
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("SELECT invoice_key, payment_state FROM odoo_payment_states "
                           "WHERE changes > 0").fetchall() == [("C3/nexamaps/2026-10", "paid")]


def test_without_odoo_url_the_asset_fails_saying_so(tmp_path: Path) -> None:
    result = dg.materialize([odoo_payment_states], raise_on_error=False, resources={
        "rating": RatingResource(warehouse=str(tmp_path / "wh.duckdb")), "odoo": OdooResource()})
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "ODOO_URL is not set" in str(failure.event_specific_data)


def test_the_schedule_skips_without_odoo_url_and_asks_once_an_hour_with_it() -> None:
    when = dt.datetime(2026, 11, 2, 14, 17, tzinfo=ZONE)
    skipped = hourly_payments(dg.build_schedule_context(
        scheduled_execution_time=when, resources={"odoo": OdooResource()}))
    assert isinstance(skipped, dg.SkipReason)
    asked = hourly_payments(dg.build_schedule_context(
        scheduled_execution_time=when,
        resources={"odoo": OdooResource(url="http://127.0.0.1:1", database="db", login="admin",
                                         password="not-a-secret")}))
    assert isinstance(asked, dg.RunRequest)
    assert asked.run_key == "payments-2026-11-02T14"
