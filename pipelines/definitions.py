"""Everything Dagster loads: `dagster-webserver -w workspace.yaml` or `dg check defs`.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

import dagster as dg

from assets import checks
from assets.rating import landed_usage, period_summary, rated_period
from pipelines.resources import rating_resource_from_environment

rate_period_job = dg.define_asset_job(
    "rate_period",
    selection=dg.AssetSelection.groups("rating"),
    description="Validate the landing zone and rate one billing period.",
)

defs = dg.Definitions(
    assets=[landed_usage, rated_period, period_summary],
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    jobs=[rate_period_job],
    resources={"rating": rating_resource_from_environment()},
)
