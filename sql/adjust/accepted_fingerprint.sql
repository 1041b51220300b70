-- The catalog fingerprint a re-rate of the period is checked against: the one its latest adjust
-- run billed with (catalog_accepted: a change accepted with --accept-changes stays accepted),
-- else the one it was rated with (as adjust/snapshot_fingerprint.sql reads it); NULL: neither
-- was recorded.
SELECT coalesce(
    (SELECT catalog_fingerprint FROM adjustment_runs
     WHERE billing_period = $billing_period AND mode <> 'dry_run' AND catalog_accepted
       AND catalog_fingerprint IS NOT NULL
     ORDER BY finished_at DESC, run_id DESC
     LIMIT 1),
    (SELECT period_catalog_fingerprint FROM rating_runs
     WHERE billing_period = $billing_period
       AND outcome IN ('rated', 'rated_with_accepted_changes')
     ORDER BY finished_at DESC
     LIMIT 1)) AS fingerprint
