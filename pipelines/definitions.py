"""Everything Dagster loads: `dagster-webserver -w workspace.yaml` or `dg check defs`.

The assets and their checks are whatever the modules of the `assets` package define, each
domain's checks beside its assets: a new asset or check is picked up where it is written, with
no list to extend. The jobs, schedules, sensor and resources that run them are added here.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import dagster as dg

import assets
from pipelines.jobs import (
    adjust_periods_job,
    close_period_job,
    deliver_webhooks_job,
    ingest_usage_job,
    poll_payments_job,
    rate_period_job,
)
from pipelines.resources import odoo_resource_from_environment, rating_resource_from_environment
from pipelines.schedules import (
    hourly_payments,
    month_close,
    nightly_adjustments,
    nightly_rating,
    webhook_delivery,
)
from pipelines.sensors import new_usage_files

ASSETS = dg.load_assets_from_package_module(assets)
CHECKS = dg.load_asset_checks_from_package_module(assets)


def from_environment() -> dg.Definitions:
    """The definitions, their resources configured from FUSION_* and ODOO_* (read now; the
    Odoo settings are checked when a run that posts starts)."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=CHECKS,
        jobs=[ingest_usage_job, rate_period_job, close_period_job, adjust_periods_job,
              poll_payments_job, deliver_webhooks_job],
        schedules=[nightly_rating, month_close, nightly_adjustments, hourly_payments,
                   webhook_delivery],
        sensors=[new_usage_files],
        resources={"rating": rating_resource_from_environment(),
                   "odoo": odoo_resource_from_environment()},
    )


defs = from_environment()
