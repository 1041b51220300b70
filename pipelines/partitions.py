"""Billing periods as Dagster partitions: calendar months in the billing time zone."""

import dagster as dg

from rating.periods import DEFAULT_TIME_ZONE

billing_periods = dg.MonthlyPartitionsDefinition(
    start_date="2025-01", timezone=DEFAULT_TIME_ZONE, fmt="%Y-%m", end_offset=1
)
