"""Billing periods as Dagster partitions: calendar months in the billing time zone."""

import warnings

import dagster as dg

from rating.periods import DEFAULT_TIME_ZONE

billing_periods = dg.MonthlyPartitionsDefinition(
    start_date="2025-01", timezone=DEFAULT_TIME_ZONE, fmt="%Y-%m", end_offset=1
)

# A check about one period (rated_charges' period_conservation, invoice_lines'
# invoices_match_rated...) is partitioned by billing_periods too: it evaluates the partition
# being materialized and the UI keeps its result per period, so checking October does not hide
# September's failure. Dagster 1.13 ships partitioned asset checks as a preview and warns at
# each one; dagster is pinned, and tests/assets/test_definitions.py holds the behaviour we rely
# on (one evaluation per run, for its partition), so that one warning is silenced here.
warnings.filterwarnings("ignore", category=dg.PreviewWarning,
                        message="Specifying a partitions_def on an AssetCheckSpec")
