CREATE OR REPLACE TEMP TABLE billing_periods (
    billing_period  VARCHAR PRIMARY KEY,   -- YYYY-MM in the billing time zone
    start_at        TIMESTAMP NOT NULL,    -- UTC, inclusive
    end_at          TIMESTAMP NOT NULL     -- UTC, exclusive
)
