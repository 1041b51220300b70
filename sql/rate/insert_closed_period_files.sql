INSERT INTO closed_period_files
SELECT DISTINCT $billing_period, unnest(source_file_ids)
FROM usage_rollups
WHERE billing_period = $billing_period
  AND NOT EXISTS (SELECT 1 FROM closed_period_files WHERE billing_period = $billing_period)
ORDER BY 2
