"""Odoo's payment states, read every hour (rating.webhooks.payments): each change recorded in
odoo_payment_states with its invoice.payment_status_updated webhook event.

Not in the warehouse pool: the poll holds the warehouse writer only for each batch's short
transaction (its lock file makes it wait for a running writer, and a running writer for it),
never while Odoo answers, so a slow Odoo holds no rating, close or posting step back.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from pathlib import Path

import dagster as dg

from pipelines.metadata import TABLE_NAME
from pipelines.resources import OdooResource, RatingResource
from rating.finance.run import publish_analyst_copy
from rating.odoo.gateway import OdooError, OdooUnreachable
from rating.webhooks.payments import poll_payments


@dg.asset(
    group_name="webhooks",
    kinds={"odoo", "duckdb"},
    description="Odoo's payment_state of every invoice, supplementary invoice and credit note "
                "we posted, read again until it is paid or reversed (table "
                "odoo_payment_states); each change is an invoice.payment_status_updated "
                "webhook event, written in the same transaction. The analysts' copy is "
                "refreshed when a state changed (the billing API's payment_status).",
)
def odoo_payment_states(context: dg.AssetExecutionContext, rating: RatingResource,
                        odoo: OdooResource) -> dg.MaterializeResult:
    gateway = odoo.gateway()
    if gateway is None:
        raise dg.Failure(description="ODOO_URL is not set: there is no Odoo to read payment "
                                     "states from", allow_retries=False)
    try:
        report = poll_payments(Path(rating.warehouse), gateway, rating.settings())
    except (OdooError, OdooUnreachable) as exc:
        raise dg.Failure(description=f"{exc} (the batches read before are recorded; the next "
                                     "run reads the rest)") from None
    if report.changed:
        context.log.info(f"analysts' copy: {publish_analyst_copy(rating.warehouse)}")
    return dg.MaterializeResult(metadata={
        "checked": report.checked, "changed": report.changed, "events": report.events,
        "now_final": report.final, "odoo_calls": gateway.calls,
        "odoo_seconds": round(gateway.seconds, 3), TABLE_NAME: "odoo_payment_states"})
