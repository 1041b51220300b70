"""Jobs: ingestion alone, the nightly rating of a period, the month close, the adjustments of a
closed period, and the hourly read of Odoo's payment states."""

import dagster as dg

# Every job that writes the warehouse ends with the analysts' copy (asset analyst_copy, in the
# finance group), as every command-line writer does.
ingest_usage_job = dg.define_asset_job(
    "ingest_usage",
    selection=dg.AssetSelection.groups("ingestion") | dg.AssetSelection.assets("analyst_copy"),
    description="Ingest new usage files into the ledger (each file once), then publish the "
                "analysts' copy.",
)

rate_period_job = dg.define_asset_job(
    "rate_period",
    selection=dg.AssetSelection.groups("ingestion", "rating", "finance"),
    description="Ingest new usage files, rate one billing period from the ledger (provisional "
                "while the period is open), then its dual run and margins, and publish the "
                "analysts' copy.",
)

close_period_job = dg.define_asset_job(
    "close_period",
    selection=dg.AssetSelection.groups("ingestion", "rating", "month_close", "adjustments",
                                       "finance"),
    description="Ingest, rate the period one last time, mark it closed, run its adjustments "
                "(nothing touched it yet: an 'unchanged' run), post its invoices to Odoo (a dry "
                "run into odoo_outbox without ODOO_URL) and read them back, then its dual run "
                "and margins, and publish the analysts' copy.",
)

adjust_periods_job = dg.define_asset_job(
    "adjust_periods",
    selection=dg.AssetSelection.groups("adjustments")
    | dg.AssetSelection.assets("odoo_invoices", "reconciliation_odoo", "analyst_copy"),
    description="Ingest what is new, re-rate a closed period and bill its late usage as linked "
                "adjustments (supplementary invoices and credit notes; differences below the "
                "threshold carried forward), post them to Odoo and read them back (the nightly "
                "posts the adjustments alone), then publish the analysts' copy.",
)

poll_payments_job = dg.define_asset_job(
    "poll_payments",
    selection=dg.AssetSelection.assets("odoo_payment_states"),
    description="Read Odoo's payment state of the posted invoices not yet paid, record each "
                "change with its webhook event, and refresh the analysts' copy when one "
                "changed.",
)

deliver_webhooks_job = dg.define_asset_job(
    "deliver_webhooks",
    selection=dg.AssetSelection.assets("webhook_deliveries"),
    description="One webhook delivery pass (the events written since the last one, and the "
                "retries due), then the warning check on failed deliveries.",
)
