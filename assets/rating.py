"""The rating asset: one billing period rated into the warehouse by `rating.engine.rate`.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from pathlib import Path

import dagster as dg

from pipelines.partitions import billing_periods
from pipelines.resources import RatingConfig


@dg.asset(
    partitions_def=billing_periods,
    group_name="rating",
    description=(
        "Landed usage counters validated, deduplicated, aggregated and priced for one billing "
        "period into the warehouse tables usage_quarantine, usage_rollups, rated_charges and "
        "invoice_lines."
    ),
)
def rated_period(context: dg.AssetExecutionContext, config: RatingConfig) -> dg.MaterializeResult:
    from rating.engine import RateRequest, rate

    result = rate(RateRequest(landing=config.landing, catalog=Path(config.catalog),
                              warehouse=Path(config.warehouse),
                              period=context.partition_key, time_zone=config.time_zone))
    return dg.MaterializeResult(metadata={
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_superseded": result.rows_superseded,
        "rows_quarantined": result.rows_quarantined,
        "invoice_lines": result.invoice_lines,
        "amount_total_cad": float(result.amount_total),
        "warehouse": dg.MetadataValue.path(config.warehouse),
    })
