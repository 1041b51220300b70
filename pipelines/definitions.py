"""Everything Dagster loads: `dagster-webserver -w workspace.yaml` or `dg check defs`.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import dagster as dg

import assets
from assets.close import closed_period
from assets.finance import analyst_copy, finance
from assets.ingest import landed_usage
from assets.odoo import odoo_posting
from assets.rating import period_summary, rated_period
from pipelines.jobs import close_period_job, ingest_usage_job, rate_period_job
from pipelines.resources import odoo_resource_from_environment, rating_resource_from_environment
from pipelines.schedules import month_close, nightly_rating
from pipelines.sensors import new_usage_files

defs = dg.Definitions(
    assets=[landed_usage, rated_period, period_summary, closed_period, odoo_posting, finance,
            analyst_copy],
    asset_checks=dg.load_asset_checks_from_package_module(assets),
    jobs=[ingest_usage_job, rate_period_job, close_period_job],
    schedules=[nightly_rating, month_close],
    sensors=[new_usage_files],
    resources={"rating": rating_resource_from_environment(),
               "odoo": odoo_resource_from_environment()},
)
