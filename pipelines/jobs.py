"""Jobs: the nightly rating of a period, and the month close (final rating, then closing)."""

import dagster as dg

rate_period_job = dg.define_asset_job(
    "rate_period",
    selection=dg.AssetSelection.groups("rating"),
    description="Validate the landing zone and rate one billing period (provisional while the "
                "period is open).",
)

close_period_job = dg.define_asset_job(
    "close_period",
    selection=dg.AssetSelection.groups("rating", "month_close"),
    description="Rate the period one last time and mark it closed.",
)
