"""Webhooks back to the apps: one delivery pass per run, and a warning while any delivery is
held failed (rating.webhooks.delivery; docs/webhooks.md).

Not in the warehouse pool: a pass holds the warehouse's writer lock only for its two short
transactions (claim, record) and none while it waits on the apps, so it never holds up rating
or posting; a pass that finds another running returns at once. The signing secrets are read
from this process's environment (each endpoint's `secret_env`).

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from pathlib import Path

import dagster as dg

from pipelines.metadata import TABLE_NAME, table
from pipelines.resources import RatingResource
from rating.api.settings import default_state
from rating.webhooks.delivery import deliver, last_status

GROUP = "webhooks"


class WebhookDeliveryConfig(dg.Config):
    state: str = ""
    """The API's folder holding services.json with the endpoints (default: <warehouse>.api)."""


def state_folder(rating: RatingResource, state: str = "") -> Path:
    return Path(state) if state else default_state(rating.warehouse)


@dg.asset(
    group_name=GROUP,
    kinds={"duckdb"},
    description="One delivery pass of the webhook outbox (webhook_deliveries): the events "
                "written since the last pass fanned out to their service's endpoints, those "
                "due sent signed per Standard Webhooks, the failures retried with backoff and "
                "held failed after a day.",
)
def webhook_deliveries(context: dg.AssetExecutionContext, rating: RatingResource,
                       config: WebhookDeliveryConfig) -> dg.MaterializeResult:
    report = deliver(Path(rating.warehouse), state_folder(rating, config.state))
    if report.skipped_busy:  # what is left is unknown: the running pass reports it
        context.log.info("another delivery pass is running: this one did nothing")
        return dg.MaterializeResult(metadata={TABLE_NAME: "webhook_deliveries",
                                              "sent": 0, "skipped_busy": True})
    return dg.MaterializeResult(metadata={
        TABLE_NAME: "webhook_deliveries", "sent": report.sent, "delivered": report.delivered,
        "retried": report.retried, "failed": report.failed, "pending": report.pending_left,
        "failed_total": report.failed_total, "skipped_busy": False})


@dg.asset_check(asset=webhook_deliveries,
                description="Warns while any webhook delivery is held failed (a day of "
                            "failures): fix the endpoint, then `fusion-rating webhooks retry "
                            "--failed`.")
def no_failed_webhook_deliveries(rating: RatingResource) -> dg.AssetCheckResult:
    # What the latest pass read in its own transactions: the check never waits for the
    # warehouse's writer (rating may hold it for an hour; a run a minute would pile up).
    seen = last_status(Path(rating.warehouse))
    if seen is None:
        return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"failed_total": "unknown: no delivery pass yet"})
    found = seen["failed_first"]
    return dg.AssetCheckResult(
        passed=not seen["failed"], severity=dg.AssetCheckSeverity.WARN,
        metadata={"failed_total": seen["failed"], "failed_shown": len(found),
                  "first": table(found, {
            "event_id": "event", "event_type": "type", "endpoint_id": "endpoint",
            "attempts": "attempts", "last_error": "last error"})})
