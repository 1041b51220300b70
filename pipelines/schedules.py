"""Nightly rating at 02:00, the month close after a grace period and the nightly adjustments
of the closed periods at 02:30, in the billing zone; Odoo's payment states every hour; the
webhooks delivered every minute.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import datetime as dt
import os
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.jobs import (
    adjust_periods_job,
    close_period_job,
    deliver_webhooks_job,
    poll_payments_job,
    rate_period_job,
)
from pipelines.resources import OdooResource, RatingResource
from rating.adjust.run import AdjustSettings
from rating.api.settings import default_state
from rating.catalog import CatalogError, load_catalog
from rating.periods import DEFAULT_TIME_ZONE, period_code, previous_period_code
from rating.rate.catalog_tables import fingerprint
from rating.reports import queries as reports
from rating.webhooks.endpoints import endpoints

DEFAULT_GRACE_DAYS = 3
NIGHTLY_ADJUSTMENTS = {"ops": {
    "period_adjustments": {"config": {"on_purpose": False}},
    "odoo_posting": {"config": {"adjustments_only": True}}}}


def _previous(day: dt.date) -> str:
    return previous_period_code(period_code(day))


def _latest_closed_periods(database: str, count: int) -> list[str] | None:
    """The `count` latest closed periods, the latest first; None when the warehouse cannot be
    read now (locked by a running writer: DuckDB lets no other process open it meanwhile)."""
    if not Path(database).exists():
        return []
    try:
        rows = reports.records(database, "adjust/closed_periods")
    except duckdb.Error:
        return None
    return [row["billing_period"] for row in rows[:count]]


@dg.schedule(cron_schedule="0 2 * * *", execution_timezone=DEFAULT_TIME_ZONE,
             job=rate_period_job,
             description="Rates the current period month-to-date (provisional) and the previous "
                         "period while it is still open.")
def nightly_rating(context: dg.ScheduleEvaluationContext,
                   rating: RatingResource) -> list[dg.RunRequest]:
    today = context.scheduled_execution_time.date()
    requests = []
    previous = _previous(today)
    # None: the warehouse is busy; rate anyway (a closed period's rows never change).
    if reports.is_closed(rating.warehouse, previous) is not True:
        requests.append(dg.RunRequest(run_key=f"nightly-{previous}-{today}",
                                      partition_key=previous))
    current = period_code(today)
    requests.append(dg.RunRequest(run_key=f"nightly-{current}-{today}", partition_key=current))
    return requests


@dg.schedule(cron_schedule="0 3 * * *", execution_timezone=DEFAULT_TIME_ZONE,
             job=close_period_job,
             description="Closes the period just ended once FUSION_CLOSE_GRACE_DAYS (default 3) "
                         "have passed for late counters.")
def month_close(context: dg.ScheduleEvaluationContext,
                rating: RatingResource) -> dg.SkipReason | dg.RunRequest:
    today = context.scheduled_execution_time.date()
    grace = int(os.getenv("FUSION_CLOSE_GRACE_DAYS", str(DEFAULT_GRACE_DAYS)))
    period = _previous(today)
    if today < today.replace(day=1) + dt.timedelta(days=grace):
        return dg.SkipReason(f"{period} closes after {grace} day(s) of grace")
    if reports.is_closed(rating.warehouse, period) is True:
        return dg.SkipReason(f"{period} is already closed")
    # The run key makes the close of a period one run, however many ticks see it open.
    return dg.RunRequest(run_key=f"close-{period}", partition_key=period)


def _touched_beyond_lookback(database: str, catalog: str, lookback: int) -> list[str]:
    """The closed periods beyond the lookback that an ingestion or a catalog edit may have
    touched since their last adjust run (adjust/touched_beyond_lookback.sql: the cheap look,
    no re-rate); [] when the warehouse or the catalog cannot be read now."""
    try:
        digest = fingerprint(load_catalog(Path(catalog)))
        rows = reports.records(database, "adjust/touched_beyond_lookback",
                               {"lookback": lookback, "catalog_digest": digest})
    except (CatalogError, OSError, duckdb.Error):
        return []
    return [row["billing_period"] for row in rows]


@dg.schedule(cron_schedule="30 2 * * *", execution_timezone=DEFAULT_TIME_ZONE,
             job=adjust_periods_job,
             description="Bills the late usage of the closed periods within the lookback "
                         "(FUSION_ADJUST_LOOKBACK, default 2) as linked adjustments, and holds "
                         "that of the older closed periods touched since their last run "
                         "(nothing issued: a person adjusts them on purpose).")
def nightly_adjustments(context: dg.ScheduleEvaluationContext,
                        rating: RatingResource) -> dg.SkipReason | list[dg.RunRequest]:
    today = context.scheduled_execution_time.date()
    lookback = AdjustSettings.from_environment().lookback
    closed = _latest_closed_periods(rating.warehouse, lookback)
    if closed is None:
        return dg.SkipReason("the warehouse cannot be read now (missing or being written): "
                             "tomorrow's tick adjusts what landed meanwhile")
    # An older period the nightly rules hold when touched (a 'hold_only' run: its differences
    # pending beyond_lookback, nothing issued), as the command line's nightly run does; one
    # found untouched after all (its catalog rows unchanged) records nothing.
    held = _touched_beyond_lookback(rating.warehouse, rating.catalog, lookback)
    if not closed and not held:
        return dg.SkipReason(f"no closed period within the lookback of {lookback}")
    # One run per period and day, however many times the tick is evaluated; the nightly rules
    # (not on purpose) and the adjustments posted alone (the invoices were at the close).
    return [dg.RunRequest(run_key=f"adjust-{period}-{today}", partition_key=period,
                          run_config=NIGHTLY_ADJUSTMENTS)
            for period in closed + held]


@dg.schedule(cron_schedule="17 * * * *", execution_timezone=DEFAULT_TIME_ZONE,
             job=poll_payments_job,
             description="Reads Odoo's payment states of the posted invoices not yet paid, "
                         "every hour (skipped without ODOO_URL).")
def hourly_payments(context: dg.ScheduleEvaluationContext,
                    odoo: OdooResource) -> dg.SkipReason | dg.RunRequest:
    if not odoo.url.strip():
        return dg.SkipReason("ODOO_URL is not set: no Odoo to read payment states from")
    moment = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"payments-{moment:%Y-%m-%dT%H}")


@dg.schedule(cron_schedule="* * * * *", job=deliver_webhooks_job,
             description="Delivers the webhooks every minute while any endpoint is configured "
                         "(services.json beside the warehouse).")
def webhook_delivery(context: dg.ScheduleEvaluationContext,
                     rating: RatingResource) -> dg.SkipReason | dg.RunRequest:
    try:
        configured = endpoints(default_state(rating.warehouse))
    except (OSError, ValueError, KeyError) as exc:
        return dg.SkipReason(f"the endpoints cannot be read: {exc}")
    if not configured:
        return dg.SkipReason("no webhook endpoint is configured (fusion-rating webhooks "
                             "endpoint add)")
    # One pass at a time: while one waits for the warehouse (rating holds it), no run a
    # minute piles up behind it.
    busy = context.instance.get_runs(dg.RunsFilter(
        job_name=deliver_webhooks_job.name,
        statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
                  dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]), limit=1)
    if busy:
        return dg.SkipReason(f"delivery run {busy[0].run_id} is not finished yet")
    return dg.RunRequest()
