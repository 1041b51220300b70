-- Periods closed by the month-close job: a later run of such a period changes none of its
-- rows in usage_rollups, rated_charges, invoice_lines or period_summaries.
CREATE TABLE IF NOT EXISTS closed_periods (
    billing_period        VARCHAR PRIMARY KEY,  -- YYYY-MM in the billing time zone
    closed_at             TIMESTAMP NOT NULL,   -- UTC (wall clock)
    through_ingestion_id  BIGINT NOT NULL  -- the last ingestion then: rows accepted by a later
                                           -- decision (a changed catalog) are late usage
)
