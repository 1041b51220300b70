INSERT INTO closed_periods
SELECT $billing_period, $closed_at
WHERE NOT EXISTS (SELECT 1 FROM closed_periods WHERE billing_period = $billing_period)
