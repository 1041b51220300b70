-- The closed periods beyond the lookback ($lookback: the latest ones the nightly run adjusts)
-- that the nightly rules may re-rate and hold tonight, the latest first: an ingestion lists the
-- period since its last adjust run (else since the rating that wrote its invoice lines, or its
-- close if earlier), or the whole catalog is not the one that run had ($catalog_digest; else
-- the one the period was rated with; unknown counts as changed). The same look as
-- adjust/period_quiet.sql, for all of them at once, for the Dagster schedule: a period named
-- here may still turn out untouched (its catalog rows unchanged), nothing is issued for any.
-- Reads closed_periods, adjustment_runs, rating_runs and the small ingestions mirror only.
WITH beyond AS (
    SELECT billing_period, through_ingestion_id AS closed_through
    FROM closed_periods
    ORDER BY billing_period DESC
    OFFSET $lookback
),
last_run AS (
    SELECT billing_period, through_ingestion_id, catalog_digest
    FROM adjustment_runs
    WHERE mode <> 'dry_run'
    QUALIFY row_number() OVER (PARTITION BY billing_period
                               ORDER BY finished_at DESC, run_id DESC) = 1
),
rated AS (
    SELECT billing_period, through_ingestion_id, catalog_fingerprint AS digest
    FROM rating_runs
    WHERE outcome IN ('rated', 'rated_with_accepted_changes')
    QUALIFY row_number() OVER (PARTITION BY billing_period ORDER BY finished_at DESC) = 1
),
looked AS (
    SELECT b.billing_period,
           coalesce(r.through_ingestion_id,
                    least(d.through_ingestion_id, b.closed_through), -1) AS through,
           CASE WHEN r.billing_period IS NOT NULL THEN r.catalog_digest ELSE d.digest END
               AS digest
    FROM beyond b
    LEFT JOIN last_run r ON r.billing_period = b.billing_period
    LEFT JOIN rated d ON d.billing_period = b.billing_period
)
SELECT l.billing_period
FROM looked l
WHERE coalesce(l.digest <> $catalog_digest, true)
   OR EXISTS (SELECT 1 FROM ingestions i
              WHERE i.ingestion_id > l.through AND list_contains(i.periods, l.billing_period))
ORDER BY l.billing_period DESC
