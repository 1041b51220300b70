"""Lago's own Python client (lago-python-client, as the apps use it today) against the server
over real HTTP, with nothing changed but its base URL and key: the thin client swap the issue
asks for. Each call is one the apps make to Lago."""

import time
from pathlib import Path

import pytest
from lago_python_client.client import Client
from lago_python_client.exceptions import LagoApiError
from lago_python_client.models import BatchEvent, Customer, Event, Subscription

from rating.finance.run import publish_analyst_copy
from rating.rate.engine import RateRequest, rate
from tests.api.test_current_usage import _counters, _period
from tests.support.api_server import api_in_thread, settings_in
from tests.support.usage_builder import Landing

pytestmark = pytest.mark.engine


def test_lagos_python_client_works_with_only_its_base_url_and_key_changed(
        tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    settings = settings_in(tmp_path, landing=landing.root, flush_interval_seconds=0.2)
    period = _period(settings)
    landing.usage("nexacloud/first.parquet", _counters(period, vcpu=180, egress=40))
    rate(RateRequest(landing=str(landing.root), catalog=settings.catalog,
                     warehouse=settings.warehouse, period=period.code))
    publish_analyst_copy(settings.warehouse)
    with api_in_thread(settings) as api:
        client = Client(api_key=api.keys["nexacloud"], api_url=f"{api.url}/")
        assert client.customers.find("nc-1").external_id == "nc-1"  # landed by hand
        created = client.customers.create(Customer(external_id="nc-lago", name="Lago Inc.",
                                                   country="CA", state="ON"))
        assert (created.external_id, client.customers.find("nc-lago").name) == (
            "nc-lago", "Lago Inc.")
        subscription = client.subscriptions.create(Subscription(
            external_customer_id="nc-lago", plan_code="cloud-standard",
            external_id="SUB-LAGO", subscription_at="2025-01-01T05:00:00Z"))
        assert subscription.status == "active"
        client.events.create(Event(transaction_id="t-1", external_subscription_id="SUB-LAGO",
                                   code="vcpu_hours", timestamp=time.time(),
                                   properties={"value": 90}))
        client.events.batch_create(BatchEvent(events=[
            Event(transaction_id=f"t-{n}", external_subscription_id="SUB-LAGO",
                  code="vcpu_hours", timestamp=time.time(), properties={"value": 5})
            for n in range(2, 4)]))
        time.sleep(1.0)  # the flush, every 0.2 s here
        usage = client.customers.current_usage("nc-lago", "SUB-LAGO")
        vcpu = next(c for c in usage.charges_usage if c.billable_metric.code == "vcpu_hours")
        by_hand = client.customers.current_usage("nc-1", "SUB-NC-1")
        invoices = client.invoices.find_all({"external_customer_id": "nc-1"})
        ended = client.subscriptions.destroy("SUB-LAGO")
        with pytest.raises(LagoApiError) as missing:
            client.customers.find("nd-1")  # NexaDesk's account: not this key's service
    assert vcpu.units == "100"  # the events of a minute ago, priced
    assert by_hand.amount_cents > 0 and by_hand.currency == "CAD"
    assert invoices["invoices"] == []  # rated, not posted to Odoo: no invoice yet
    assert ended.status == "terminated"
    assert missing.value.status_code == 404
