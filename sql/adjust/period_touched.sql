-- Whether the closed period may have changed since its last adjust run (else since the rating
-- that wrote its invoice lines, not its close: rows ingested between that rating and the close
-- were never rated, and the close's through_ingestion_id already counts them): a later
-- ingestion lists it among the periods it changed, or the period's catalog fingerprint is not
-- the one that run re-rated with (else the one the period was rated with).
-- Reads the small ingestions mirror and rating_runs only.
WITH last_run AS (
    SELECT through_ingestion_id, catalog_fingerprint
    FROM adjustment_runs
    WHERE billing_period = $billing_period AND mode <> 'dry_run'
    ORDER BY finished_at DESC, run_id DESC
    LIMIT 1
),
rated AS (
    -- Before any adjust run: the fingerprint the period was rated with (as
    -- adjust/snapshot_fingerprint.sql reads it).
    SELECT (SELECT period_catalog_fingerprint FROM rating_runs
            WHERE billing_period = $billing_period
              AND outcome IN ('rated', 'rated_with_accepted_changes')
            ORDER BY finished_at DESC LIMIT 1) AS fingerprint
),
since AS (
    SELECT coalesce((SELECT through_ingestion_id FROM last_run),
                    least((SELECT through_ingestion_id FROM rating_runs
                           WHERE billing_period = $billing_period
                             AND outcome IN ('rated', 'rated_with_accepted_changes')
                           ORDER BY finished_at DESC LIMIT 1),
                          (SELECT through_ingestion_id FROM closed_periods
                           WHERE billing_period = $billing_period)), -1) AS through
)
SELECT EXISTS (SELECT 1 FROM ingestions i, since s
               WHERE i.ingestion_id > s.through AND list_contains(i.periods, $billing_period))
       OR coalesce(coalesce((SELECT catalog_fingerprint FROM last_run),
                         (SELECT fingerprint FROM rated))
                   <> $catalog_fingerprint, false)
           AS touched
