-- Billing periods indexed by the UTC months they overlap, so that placing a row in its period
-- is a hash join on the row's UTC month (at most two candidates) instead of a sort.
CREATE OR REPLACE TEMP TABLE period_buckets (
    utc_month       TIMESTAMP NOT NULL,
    billing_period  VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    period_key      INTEGER NOT NULL,   -- YYYYMM
    start_at        TIMESTAMP NOT NULL, -- UTC, inclusive
    end_at          TIMESTAMP NOT NULL  -- UTC, exclusive
)
