-- The period's snapshot of its references, if it has one: the fingerprint of the catalog rows
-- the rating that wrote its rows as they stand used (a stopped run wrote nothing), else, for a
-- period rated before snapshots were written, that of the latest adjust run that kept the
-- references it re-rated with as the period's snapshot (snapshot_kept: accepted on purpose, or
-- its re-rate reproduced the invoices); NULL: no rated_subscriptions or rated_account_links of
-- its own.
SELECT coalesce(
    (SELECT period_catalog_fingerprint FROM rating_runs
     WHERE billing_period = $billing_period
       AND outcome IN ('rated', 'rated_with_accepted_changes')
     ORDER BY finished_at DESC
     LIMIT 1),
    (SELECT catalog_fingerprint FROM adjustment_runs
     WHERE billing_period = $billing_period AND mode <> 'dry_run' AND snapshot_kept
     ORDER BY finished_at DESC, run_id DESC
     LIMIT 1)) AS fingerprint
