INSERT INTO closed_periods
SELECT $billing_period, $closed_at, (SELECT coalesce(max(ingestion_id), 0) FROM ingestions)
WHERE NOT EXISTS (SELECT 1 FROM closed_periods WHERE billing_period = $billing_period)
