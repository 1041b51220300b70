-- Whether the closed period may have changed since its last adjust run (else since its
-- close): a later ingestion lists it among the periods it changed, or the period's catalog
-- fingerprint is not the one that run re-rated with. Reads the small ingestions mirror only.
WITH last_run AS (
    SELECT through_ingestion_id, catalog_fingerprint
    FROM adjustment_runs
    WHERE billing_period = $billing_period AND mode <> 'dry_run'
    ORDER BY finished_at DESC, run_id DESC
    LIMIT 1
),
since AS (
    SELECT coalesce((SELECT through_ingestion_id FROM last_run),
                    (SELECT through_ingestion_id FROM closed_periods
                     WHERE billing_period = $billing_period), -1) AS through
)
SELECT EXISTS (SELECT 1 FROM ingestions i, since s
               WHERE i.ingestion_id > s.through AND list_contains(i.periods, $billing_period))
       OR coalesce((SELECT catalog_fingerprint FROM last_run) <> $catalog_fingerprint, false)
           AS touched
