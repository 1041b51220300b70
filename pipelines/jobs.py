"""Jobs: the nightly rating of a period, and the month close (final rating, then closing)."""

import dagster as dg

rate_period_job = dg.define_asset_job(
    "rate_period",
    selection=dg.AssetSelection.groups("rating", "finance"),
    description="Validate the landing zone and rate one billing period (provisional while the "
                "period is open), then its dual run and margins, and publish the analysts' "
                "copy.",
)

close_period_job = dg.define_asset_job(
    "close_period",
    selection=dg.AssetSelection.groups("rating", "month_close", "finance"),
    description="Rate the period one last time, mark it closed, post its invoices to Odoo "
                "(a dry run into odoo_outbox without ODOO_URL) and read them back.",
)
