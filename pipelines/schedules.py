"""Nightly rating at 02:00 and the month close after a grace period, in the billing zone.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import datetime as dt
import os

import dagster as dg

from pipelines.jobs import close_period_job, rate_period_job
from pipelines.resources import RatingResource
from rating.periods import DEFAULT_TIME_ZONE, period_code, previous_period_code
from rating.reports import queries as reports

DEFAULT_GRACE_DAYS = 3


def _previous(day: dt.date) -> str:
    return previous_period_code(period_code(day))


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
