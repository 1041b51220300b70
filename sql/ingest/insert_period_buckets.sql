-- period_bucket_rows is an Arrow table registered by rating.ingest.usage from rating.periods
-- (zoneinfo), the one source of period bounds.
INSERT INTO period_buckets
SELECT utc_month, billing_period, CAST(replace(billing_period, '-', '') AS INTEGER), start_at,
       end_at
FROM period_bucket_rows
