"""Month close: the period's final rating, then the mark that freezes it.

(No `from __future__ import annotations` here: Dagster reads the annotations at run time.)
"""

from pathlib import Path

import dagster as dg

from pipelines.metadata import TABLE_NAME
from pipelines.partitions import billing_periods
from pipelines.pools import WAREHOUSE_POOL
from pipelines.resources import RatingResource
from rating.rate.engine import close_period


@dg.asset(
    deps=["period_summary"],
    partitions_def=billing_periods,
    group_name="month_close",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description=(
        "Marks the billing period closed (table closed_periods) after its final rating: later "
        "runs of the period change none of its rated rows, and usage for it that lands later "
        "goes to late_usage and is billed as linked adjustments (period_adjustments)."
    ),
)
def closed_period(context: dg.AssetExecutionContext,
                  rating: RatingResource) -> dg.MaterializeResult:
    newly = close_period(Path(rating.warehouse), context.partition_key, rating.time_zone,
                         rating.settings())
    return dg.MaterializeResult(metadata={"closed_now": newly, TABLE_NAME: "closed_periods"})
