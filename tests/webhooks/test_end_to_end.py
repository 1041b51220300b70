"""Issue 15's evidence from end to end: a month rated and closed, posted to Odoo, a payment
registered in Odoo as an accountant does, and every event on its way to the apps' endpoints
(a real receiver per service on loopback, verifying each request with the standardwebhooks
library): period.closed, then invoice.posted, then invoice.payment_status_updated `paid`, each
invoice's events in order, each service's events only at its own endpoint.

Param `jsonrpc` runs on the Odoo test server; `live-jsonrpc` (marker odoo_live) on the real
Odoo named by ODOO_URL and ODOO_DB, under customer keys of its own."""

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from rating.odoo import gateway as odoo
from rating.odoo.posting import post_period
from rating.webhooks.delivery import deliver
from rating.webhooks.endpoints import new_secret
from rating.webhooks.payments import poll_payments
from tests.support.odoo_server import OdooTestServer
from tests.support.payments import register_payment
from tests.support.posting import PERIOD, apply_setup, gateway_for, rated_period
from tests.support.webhook_outbox import endpoint_for
from tests.support.webhook_receiver import Receiver, receiving

pytestmark = pytest.mark.slow
SERVICES = ("nexacloud", "nexamaps")


@pytest.fixture(params=["jsonrpc", pytest.param("live-jsonrpc", marks=pytest.mark.odoo_live)])
def odoo_gateway(request: pytest.FixtureRequest) -> Iterator[tuple[odoo.Gateway, str]]:
    """A gateway and the customer key prefix to rate under (unique on a real Odoo)."""
    if request.param != "live-jsonrpc":
        with OdooTestServer() as server:
            yield gateway_for(server, "jsonrpc"), "C"
        return
    settings = odoo.settings_from_environment({**os.environ, "ODOO_TRANSPORT": "jsonrpc"})
    if settings is None:
        pytest.skip("no ODOO_URL: the live Odoo test is skipped")
    gateway = odoo.connect(settings)
    apply_setup(gateway)
    yield gateway, f"E2E{uuid.uuid4().hex[:8].upper()}-"


def received(receiver: Receiver) -> list[tuple[str, dict[str, object]]]:
    """(type, data) of each request the receiver verified, in arrival order."""
    return [(str(r.payload["type"]), dict(r.payload["data"])) for r in receiver.received]


def test_a_posted_and_paid_invoice_reaches_its_services_endpoint_signed_and_in_order(
        odoo_gateway: tuple[odoo.Gateway, str], tmp_path: Path) -> None:
    gateway, customer = odoo_gateway
    secrets = {service: new_secret() for service in SERVICES}
    environ = {f"{service.upper()}_HOOK": secret for service, secret in secrets.items()}
    with ExitStack() as stack:
        apps = {service: stack.enter_context(receiving(secret))
                for service, secret in secrets.items()}
        state = tmp_path / "warehouse.api"  # beside the warehouse rated_period writes
        for service, app in apps.items():
            endpoint_for(state, service, app.url, f"{service.upper()}_HOOK")
        wh = rated_period(tmp_path, count=2, prefix=customer)  # rated and closed
        posting = post_period(wh, PERIOD, gateway)
        assert (posting.posted, posting.webhook_events) == (4, 4)  # one invoice.posted each
        assert post_period(wh, PERIOD, gateway).webhook_events == 0  # a rerun: none again
        first = deliver(wh, state, environ=environ)
        assert (first.delivered, first.failed_total, first.pending_left) == (6, 0, 0)

        paid_key = f"{customer}1/nexacloud/{PERIOD}"
        [posted] = [data for kind, data in received(apps["nexacloud"])
                    if kind == "invoice.posted" and data["invoice_key"] == paid_key]
        assert poll_payments(wh, gateway).events == 0  # not paid: the baseline, no event
        register_payment(gateway, int(str(posted["odoo_move_id"])))
        assert poll_payments(wh, gateway).events == 1
        second = deliver(wh, state, environ=environ)
        assert (second.delivered, second.pending_left) == (1, 0)

    for service, app in apps.items():
        kinds = [kind for kind, _ in received(app)]
        assert kinds[0] == "period.closed" and kinds.count("invoice.posted") == 2
        assert all(data["service"] == service for _, data in received(app))
        assert not app.refused
        assert len(set(app.ids())) == len(app.ids())  # nothing twice
    cloud = received(apps["nexacloud"])
    about_paid = [(kind, data) for kind, data in cloud if data.get("invoice_key") == paid_key]
    assert [kind for kind, _ in about_paid] == ["invoice.posted",
                                                "invoice.payment_status_updated"]
    update = about_paid[1][1]
    assert (update["payment_status"], update["previous_payment_status"],
            update["amount_residual_cents"]) == ("paid", "not_paid", 0)
    assert update["number"] == posted["number"] and update["odoo_move_id"] == posted[
        "odoo_move_id"]
    assert json.dumps(update)  # plain JSON: integers and strings, no float money
    assert all(not isinstance(v, float) for v in update.values())
