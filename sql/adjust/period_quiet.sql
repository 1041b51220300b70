-- The nightly run's first look at a closed period, before it builds any reference or catalog
-- fingerprint (milliseconds: reads the small ingestions mirror, adjustment_runs and
-- rating_runs only).
-- ingested: an ingestion lists the period since its last adjust run (else since the rating
--   that wrote its invoice lines, or its close if that was earlier: rows ingested between the
--   two were never rated), as adjust/period_touched.sql counts them.
-- same_catalog: the whole catalog is the one that run had ($catalog_digest; else the one the
--   period was rated with), so the period's catalog fingerprint is `fingerprint`, the one that
--   run recorded (else the rating's) and adjust/period_touched.sql would compare it with.
-- after_on_purpose: that run was on purpose, possibly with today's references
--   (--current-references): its fingerprint may not be of the period's own references.
WITH last_run AS (
    SELECT through_ingestion_id, catalog_fingerprint, catalog_digest, mode
    FROM adjustment_runs
    WHERE billing_period = $billing_period AND mode <> 'dry_run'
    ORDER BY finished_at DESC, run_id DESC
    LIMIT 1
),
rated AS (
    SELECT through_ingestion_id, catalog_fingerprint AS digest,
           period_catalog_fingerprint AS fingerprint
    FROM rating_runs
    WHERE billing_period = $billing_period
      AND outcome IN ('rated', 'rated_with_accepted_changes')
    ORDER BY finished_at DESC
    LIMIT 1
),
since AS (
    SELECT coalesce((SELECT through_ingestion_id FROM last_run),
                    least((SELECT through_ingestion_id FROM rated),
                          (SELECT through_ingestion_id FROM closed_periods
                           WHERE billing_period = $billing_period)), -1) AS through
),
then_ AS (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM last_run) THEN (SELECT catalog_digest FROM last_run)
                ELSE (SELECT digest FROM rated) END AS digest,
           coalesce((SELECT catalog_fingerprint FROM last_run),
                    (SELECT fingerprint FROM rated)) AS fingerprint
)
SELECT EXISTS (SELECT 1 FROM ingestions i, since s
               WHERE i.ingestion_id > s.through AND list_contains(i.periods, $billing_period))
           AS ingested,
       coalesce((SELECT digest FROM then_) = $catalog_digest, false)
           AND (SELECT fingerprint FROM then_) IS NOT NULL AS same_catalog,
       (SELECT fingerprint FROM then_) AS fingerprint,
       coalesce((SELECT mode FROM last_run) = 'on_purpose', false) AS after_on_purpose
