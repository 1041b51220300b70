-- The rating that wrote the period's rows as they stand: its catalog and the latest ingestion
-- it saw (a stopped run wrote nothing and does not count).
SELECT catalog_fingerprint, through_ingestion_id, finished_at
FROM rating_runs
WHERE billing_period = $billing_period
  AND outcome IN ('rated', 'rated_with_accepted_changes')
ORDER BY finished_at DESC
LIMIT 1
