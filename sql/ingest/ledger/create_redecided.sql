-- Rows quarantined because the catalog did not know their service or metric, decided again
-- against the catalog in force: each gets the first reason that still applies, in the order of
-- insert_usage_rows.sql from the metric-dependent checks on (every check before them passed
-- when the row landed), or none: accepted.
CREATE OR REPLACE TEMP TABLE redecided AS
WITH candidates AS (
    SELECT u.period_key, u.file_id, u.file_row_number, u.reason AS old_reason, u.value,
           u.unique_key, u.dimensions, u.period_end,
           f.has_value_column,
           list_contains($known_services, u.service) AS service_known,
           m.metric IS NOT NULL AS metric_known,
           m.aggregation,
           p.end_at AS billing_period_end
    FROM ledger.usage_rows u
    JOIN ledger.ingested_files f ON f.file_id = u.file_id
    LEFT JOIN cat_metrics m ON m.service = u.service AND m.metric = u.metric
    LEFT JOIN (SELECT DISTINCT period_key, end_at FROM period_buckets) p
           ON p.period_key = u.period_key
    WHERE u.status = 'quarantined' AND u.reason IN ('unknown_service', 'unknown_metric')
),
decided AS (
    SELECT *,
           CASE
               WHEN NOT has_value_column AND metric_known AND aggregation <> 'unique_count'
                   THEN 'missing_column'
               WHEN value IS NULL AND metric_known AND aggregation <> 'unique_count'
                   THEN 'null_required'
               WHEN is_blank(unique_key) AND aggregation = 'unique_count' THEN 'null_required'
               WHEN NOT service_known THEN 'unknown_service'
               WHEN NOT metric_known THEN 'unknown_metric'
               WHEN NOT dimensions_ok(dimensions) THEN 'bad_dimensions_json'
               WHEN period_key = 0 THEN 'outside_billing_periods'
               WHEN period_end > billing_period_end THEN 'window_crosses_period'
           END AS reason
    FROM candidates
)
SELECT period_key, file_id, file_row_number, reason
FROM decided
WHERE reason IS DISTINCT FROM old_reason
