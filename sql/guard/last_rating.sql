-- The previous rating of the period: its catalog and the latest ingestion it saw.
SELECT catalog_fingerprint, through_ingestion_id, finished_at
FROM rating_runs WHERE billing_period = $billing_period
ORDER BY finished_at DESC LIMIT 1
