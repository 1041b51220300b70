"""GET /customers/{external_id}/current_usage over real HTTP: the month to date priced as
`fusion-rating rate` prices it, including usage landed since the last ingestion, answered
while a writer holds the warehouse and its ledger, and only for the key's own service."""

import datetime as dt
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.api.current_usage import customer_usage
from rating.api.pricing import PricedUsage, UsagePricer
from rating.api.settings import ApiSettings
from rating.finance.run import publish_analyst_copy
from rating.ingest import ledger
from rating.periods import BillingPeriod, billing_period
from rating.rate.engine import RateRequest, rate
from rating.rate.guard import GuardSettings
from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_builder import CATALOG, Landing, rows, usage_row


def _period(settings: ApiSettings) -> BillingPeriod:
    return UsagePricer(settings).current_period()


def _counters(period: BillingPeriod, vcpu: int, egress: int) -> list[dict[str, Any]]:
    start = period.start + dt.timedelta(hours=2)
    return [usage_row(metric="vcpu_hours", value=vcpu, start=start),
            usage_row(metric="egress_gb", value=egress, start=start),
            usage_row(service="nexadesk", metric="conversations", value=3, start=start)]


def _rated(landing: Landing, settings: ApiSettings, period: BillingPeriod,
           accept_changes: bool = False) -> None:
    """`fusion-rating rate` of the period, then the copies it publishes after a run."""
    rate(RateRequest(landing=str(landing.root), catalog=settings.catalog,
                     warehouse=settings.warehouse, period=period.code,
                     guard=GuardSettings(accept_changes=accept_changes)))
    publish_analyst_copy(settings.warehouse)


def _invoiced(wh: Path, period: BillingPeriod, subscription: str) -> dict[str, Decimal]:
    """invoice_lines of the real rating, per charge of the subscription."""
    found = rows(wh, "SELECT charge_id, sum(amount) FROM invoice_lines WHERE billing_period = $p "
                 "AND subscription_id = $s GROUP BY charge_id",
                 {"p": period.code, "s": subscription})
    return {charge: amount for charge, amount in found}


def _answered(body: dict[str, Any]) -> dict[str, Decimal]:
    return {c["charge"]["lago_id"]: Decimal(c["amount_cents"]) / 100
            for c in body["customer_usage"]["charges_usage"] if c["amount_cents"]}


@pytest.fixture
def rated(tmp_path: Path) -> tuple[Landing, ApiSettings, BillingPeriod]:
    landing = Landing(tmp_path / "landing")
    settings = settings_in(tmp_path, landing=landing.root)
    period = _period(settings)
    landing.usage("nexacloud/first.parquet", _counters(period, vcpu=180, egress=40))
    _rated(landing, settings, period)
    return landing, settings, period


@pytest.mark.engine
def test_the_amount_of_each_charge_is_what_the_rating_invoices(
        rated: tuple[Landing, ApiSettings, BillingPeriod]) -> None:
    _, settings, period = rated
    with api_in_thread(settings) as api:
        answer = api.client("nexacloud").get(
            "/customers/nc-1/current_usage", params={"external_subscription_id": "SUB-NC-1"})
    assert answer.status_code == 200
    body = answer.json()["customer_usage"]
    invoiced = _invoiced(settings.warehouse, period, "SUB-NC-1")
    assert sum(invoiced.values()) > 0
    assert _answered(answer.json()) == {k: v for k, v in invoiced.items() if v}
    assert Decimal(body["amount_cents"]) / 100 == sum(invoiced.values())
    assert body["taxes_amount_cents"] == 0
    assert body["total_amount_cents"] == body["amount_cents"]
    assert body["from_datetime"] == period.start.isoformat() + "Z"
    vcpu = next(c for c in body["charges_usage"] if c["billable_metric"]["code"] == "vcpu_hours")
    assert (vcpu["units"], vcpu["billable_metric"]["aggregation_type"]) == ("180", "sum_agg")


@pytest.mark.engine
def test_a_counter_landed_after_the_last_ingestion_is_priced_as_its_rating_will_price_it(
        rated: tuple[Landing, ApiSettings, BillingPeriod]) -> None:
    landing, settings, period = rated
    before = _invoiced(settings.warehouse, period, "SUB-NC-1")
    landing.usage("nexacloud/later.parquet", _counters(period, vcpu=95, egress=300))
    landing.corrupt("nexacloud/garbage.parquet")  # left out, as the ingestion leaves it
    with api_in_thread(settings) as api:
        body = api.client("nexacloud").get(
            "/customers/nc-1/current_usage",
            params={"external_subscription_id": "SUB-NC-1"}).json()
    _rated(landing, settings, period)
    after = _invoiced(settings.warehouse, period, "SUB-NC-1")
    assert sum(after.values()) > sum(before.values())
    assert _answered(body) == {k: v for k, v in after.items() if v}
    assert body["customer_usage"]["pending_files"] == 1


@pytest.mark.engine
def test_it_answers_while_a_writer_holds_the_warehouse_and_its_ledger(
        rated: tuple[Landing, ApiSettings, BillingPeriod]) -> None:
    _, settings, period = rated
    expected = _invoiced(settings.warehouse, period, "SUB-NC-1")
    with api_in_thread(settings) as api, \
            warehouse.writer(settings.warehouse) as con:
        ledger.attach(con, ledger.default_folder(settings.warehouse))
        answer = api.client("nexacloud").get(
            "/customers/nc-1/current_usage", params={"external_subscription_id": "SUB-NC-1"})
    assert answer.status_code == 200
    assert _answered(answer.json()) == {k: v for k, v in expected.items() if v}


@pytest.mark.engine
def test_a_key_reaches_only_its_own_services_customers_and_subscriptions(
        rated: tuple[Landing, ApiSettings, BillingPeriod]) -> None:
    _, settings, _ = rated
    with api_in_thread(settings) as api:
        desk = api.client("nexadesk")
        other_service = desk.get("/customers/nm-1/current_usage")  # nexamaps' account
        not_its_subscription = desk.get("/customers/nd-1/current_usage",
                                        params={"external_subscription_id": "SUB-NC-1"})
        unknown = api.client("nexacloud").get("/customers/nc-1/current_usage",
                                              params={"external_subscription_id": "SUB-X"})
        own = desk.get("/customers/nd-1/current_usage")
        by_customer_key = desk.get("/customers/C1/current_usage")  # our extension
        other_services_key = desk.get("/customers/C2/current_usage")  # nexamaps' customer
    assert (other_service.status_code, other_service.json()["code"]) == (
        404, "customer_not_found")
    assert (not_its_subscription.status_code, not_its_subscription.json()["code"]) == (
        404, "subscription_not_found")
    assert unknown.json()["code"] == "subscription_not_found"
    assert own.status_code == 200
    assert own.json()["customer_usage"]["subscriptions"] == ["SUB-ND-1"]
    assert by_customer_key.json()["customer_usage"] == own.json()["customer_usage"]
    assert other_services_key.json()["code"] == "customer_not_found"


@pytest.mark.engine
def test_before_anything_is_published_it_answers_503_with_retry_after(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path, landing=Landing(tmp_path / "landing").root)
    with api_in_thread(settings) as api:
        answer = api.client("nexacloud").get("/customers/nc-1/current_usage")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    assert answer.json()["code"] == "usage_not_available"


@pytest.mark.fast
def test_a_charge_sums_its_groups_and_true_up_in_exact_cents_as_lago_names_them() -> None:
    def line(kind: str, group: str | None, quantity: str, amount: str) -> dict[str, Any]:
        return {"subscription_id": "S", "charge_id": "p:egress", "metric": "egress_gb",
                "metric_name": "Egress", "aggregation": "sum", "group_by": "region",
                "model": "per_unit",
                "line_kind": kind, "group_value": group, "currency": "CAD",
                "quantity": Decimal(quantity), "amount": Decimal(amount),
                "amount_unrounded": Decimal(amount), "counter_rows": 2, "description": "d"}

    priced = PricedUsage(period=billing_period("2026-12"),
                         subscriptions=({"subscription_id": "S"},),
                         lines=(line("usage", "ca", "1.500000000", "0.10"),
                                line("usage", "us", "2.000000000", "0.20"),
                                line("minimum_true_up", None, "0", "4.70")),
                         pending_files=0)
    body = customer_usage(priced)["customer_usage"]
    charge = body["charges_usage"][0]
    assert (charge["units"], charge["amount_cents"], charge["amount"]) == ("3.5", 500, "5.00")
    assert [g["amount_cents"] for g in charge["grouped_usage"]] == [10, 20]
    assert [g["grouped_by"] for g in charge["grouped_usage"]] == [{"region": "ca"},
                                                                  {"region": "us"}]
    # What Lago's clients require of a charge and of each group.
    assert charge["total_aggregated_units"] == charge["units"]
    assert all({"total_aggregated_units", "filters"} <= set(g) for g in charge["grouped_usage"])
    assert charge["charge"]["charge_model"] == "standard"
    assert charge["billable_metric"]["aggregation_type"] == "sum_agg"
    assert (body["amount_cents"], body["taxes_amount_cents"], body["total_amount_cents"]) == (
        500, 0, 500)


@pytest.mark.engine
def test_a_counter_pushed_again_in_a_file_not_yet_ingested_replaces_its_ledger_row(
        tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    settings = settings_in(tmp_path, landing=landing.root)
    period = _period(settings)
    start = period.start + dt.timedelta(hours=2)
    first = usage_row(metric="vcpu_hours", value=400, start=start, counter_id="ctr-again")
    landing.usage("nexacloud/first.parquet", [first])
    _rated(landing, settings, period)
    again = {**first, "value": 150, "pushed_at": first["pushed_at"] + dt.timedelta(hours=1)}
    landing.usage("nexacloud/again.parquet", [again])
    with api_in_thread(settings) as api:
        body = api.client("nexacloud").get("/customers/nc-1/current_usage").json()
    _rated(landing, settings, period, accept_changes=True)  # the guard sees the total fall
    vcpu = next(c for c in body["customer_usage"]["charges_usage"]
                if c["billable_metric"]["code"] == "vcpu_hours")
    assert (vcpu["units"], vcpu["events_count"]) == ("150", 1)
    assert _answered(body) == {k: v for k, v in
                               _invoiced(settings.warehouse, period, "SUB-NC-1").items() if v}


@pytest.mark.engine
def test_a_file_not_yet_ingested_is_decided_again_when_a_metric_it_uses_is_added_to_the_catalog(
        tmp_path: Path) -> None:
    # The server's own copy of the catalog, which the test changes while it runs.
    catalog = Path(shutil.copytree(CATALOG, tmp_path / "catalog"))
    landing = Landing(tmp_path / "landing")
    settings = replace(settings_in(tmp_path, landing=landing.root), catalog=catalog)
    period = _period(settings)
    counters = [usage_row(metric=metric, value=value, start=period.start + dt.timedelta(hours=2))
                for metric, value in (("egress_gb", 10), ("gpu_hours", 40))]
    landing.usage("nexacloud/a.parquet", counters[:1])
    _rated(landing, settings, period)
    landing.usage("nexacloud/gpu.parquet", counters[1:])
    with api_in_thread(settings) as api, api.client("nexacloud") as client:
        before = client.get("/customers/nc-1/current_usage").json()
        # The metric and its charge are added while the server runs: the landed file, decided
        # unknown_metric a moment ago, is decided again, as the next ingestion will.
        metrics = catalog / "metrics.yaml"
        metrics.write_text(metrics.read_text() + "  - {service: nexacloud, code: gpu_hours, "
                           "name: GPU hours, aggregation: sum, unit: GPU-h}\n")
        plans = catalog / "plans.yaml"
        plans.write_text(plans.read_text().replace("    charges:\n", (
            "    charges:\n      - metric: gpu_hours\n        product: NC-GPU\n"
            "        description: \"GPU usage, {period}: {quantity} {unit}\"\n"
            "        prices:\n          - {effective_from: 2025-01-01, model: per_unit, "
            "unit_price: \"2.5\"}\n"), 1))
        after = client.get("/customers/nc-1/current_usage").json()
    _rated(landing, settings, period)
    units = [{c["billable_metric"]["code"]: c["units"]
              for c in body["customer_usage"]["charges_usage"]} for body in (before, after)]
    assert "gpu_hours" not in units[0]
    assert units[1]["gpu_hours"] == "40"
    assert _invoiced(settings.warehouse, period, "SUB-NC-1")["cloud-standard:gpu_hours"] == 100
