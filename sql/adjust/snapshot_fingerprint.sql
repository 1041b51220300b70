-- The rating that wrote the period's rows as they stand (a stopped run wrote nothing): the
-- fingerprint of the catalog rows it used; NULL: rated before snapshots were written, so the
-- period has no rated_subscriptions or rated_account_links of its own.
SELECT period_catalog_fingerprint
FROM rating_runs
WHERE billing_period = $billing_period
  AND outcome IN ('rated', 'rated_with_accepted_changes')
ORDER BY finished_at DESC
LIMIT 1
