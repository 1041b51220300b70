INSERT INTO adjustment_runs (run_id, billing_period, mode, started_at, finished_at,
    through_ingestion_id, catalog_fingerprint, lookback_position, outcome, revisions_issued,
    amount_issued, amount_pending, findings, catalog_accepted, catalog_digest,
    snapshot_kept)
SELECT $run_id, $billing_period, $mode, $started_at, $finished_at, $through_ingestion_id,
       $catalog_fingerprint, $lookback_position, $outcome,
       CAST((SELECT count(*) FROM period_adjustments WHERE run_id = $run_id) AS INTEGER),
       (SELECT CAST(coalesce(sum(amount_net), 0) AS DECIMAL(38, 2)) FROM period_adjustments
        WHERE run_id = $run_id),
       (SELECT CAST(coalesce(sum(amount_delta), 0) AS DECIMAL(38, 2))
        FROM pending_adjustments WHERE billing_period = $billing_period),
       $findings, $catalog_accepted, $catalog_digest, $snapshot_kept
