-- Every row of the newly landed usage files, once, with what can be decided from the row and
-- the catalog alone: accepted, or quarantined with the first reason below that applies. What
-- depends on account links and subscriptions is decided when a period is rated
-- (rate/create_usage_outcomes.sql); re-pushes are settled right after, over the whole ledger
-- (ledger/create_repeated_keys.sql, create_superseded_now.sql).
--
-- A row has a key, and so takes part in re-pushes, when its service and counter_id are not
-- blank and its pushed_at is neither missing nor later than its file's ingestion plus the
-- tolerance: a year-9999 push would otherwise lock its counter forever.
INSERT INTO ledger.usage_rows
WITH landed AS (
    {landed_source}
),
joined AS (
    SELECT u.*,
           list_contains($known_services, u.service) AS service_known,
           m.metric IS NOT NULL AS metric_known,
           m.aggregation,
           p.period_key,
           p.end_at AS billing_period_end,
           f.pushed_at_limit,
           u.pushed_at > f.pushed_at_limit AS pushed_in_future
    FROM landed u
    JOIN landed_file_checks f ON f.file_id = u.file_id
    LEFT JOIN cat_metrics m ON m.service = u.service AND m.metric = u.metric
    LEFT JOIN period_buckets p
           ON p.utc_month = date_trunc('month', u.period_start)
          AND u.period_start >= p.start_at AND u.period_start < p.end_at
),
reasoned AS (
    SELECT j.*,
           CASE
               WHEN len(j.missing_columns) > 0 THEN 'missing_column'
               WHEN NOT j.has_value_column AND j.metric_known
                    AND j.aggregation <> 'unique_count' THEN 'missing_column'
               -- A text column of another type (an integer account_id) would never match
               -- the catalog or a link: the file is wrong, not the account.
               WHEN j.type_detail IS NOT NULL THEN 'bad_type'
               WHEN j.timestamp_unparsed THEN 'bad_timestamp'
               WHEN j.value_unparsed THEN 'not_a_number'
               -- A blank counter_id is as missing as NULL: it is no key at all. (A blank
               -- service, account or metric is caught below as unknown.)
               WHEN is_blank(j.counter_id) OR j.service IS NULL OR j.account_id IS NULL
                    OR j.metric IS NULL OR j.period_start IS NULL
                    OR j.period_end IS NULL OR j.pushed_at IS NULL THEN 'null_required'
               -- What the metric decides (a value, or a unique_key) is checked only for a
               -- metric the catalog knows: usage of an unknown one is unknown_metric, and is
               -- decided again if the metric is added (ledger/create_redecided.sql).
               WHEN j.value IS NULL AND NOT j.value_too_large AND j.metric_known
                    AND j.aggregation <> 'unique_count' THEN 'null_required'
               WHEN is_blank(j.unique_key) AND j.aggregation = 'unique_count'
                   THEN 'null_required'
               WHEN j.value < 0 THEN 'negative_value'
               -- Above 10^15 a counter is a unit mix-up (bytes sent as GB), and window
               -- weighting or pricing it would overflow DuckDB's 38 digits.
               WHEN j.value_too_large OR j.value > 1000000000000000 THEN 'value_out_of_range'
               WHEN j.period_end <= j.period_start THEN 'bad_window'
               WHEN j.pushed_in_future THEN 'pushed_at_in_future'
               WHEN NOT j.service_known THEN 'unknown_service'
               WHEN NOT j.metric_known THEN 'unknown_metric'
               WHEN NOT dimensions_ok(j.dimensions) THEN 'bad_dimensions_json'
               WHEN j.period_key IS NULL THEN 'outside_billing_periods'
               WHEN j.period_end > j.billing_period_end THEN 'window_crosses_period'
           END AS reason
    FROM joined j
)
SELECT coalesce(period_key, 0) AS period_key,
       CASE WHEN reason IS NULL THEN 'accepted' ELSE 'quarantined' END AS status,
       reason,
       CAST($ingestion_id AS BIGINT) AS ingestion_id,
       NULL::BIGINT AS changed_in,
       file_id,
       file_row_number,
       CASE WHEN NOT is_blank(service) AND NOT is_blank(counter_id) AND pushed_at IS NOT NULL
                 AND NOT pushed_in_future
            THEN hash(service, counter_id) END AS key_hash,
       counter_id, service, account_id, metric, period_start, period_end, value, unique_key,
       dimensions, pushed_at,
       -- Only what the row's columns lose; the rest of the warehouse's detail is derived from
       -- them (ledger/sync_insert_quarantine.sql), so a re-decided reason never keeps a stale one.
       CASE reason
           WHEN 'bad_type' THEN type_detail
           WHEN 'bad_timestamp' THEN timestamp_detail
           WHEN 'not_a_number' THEN value_detail
           WHEN 'value_out_of_range' THEN value_detail
           WHEN 'pushed_at_in_future'
               THEN 'pushed_at ' || strftime(pushed_at, '%Y-%m-%d %H:%M:%S')
                    || ' UTC is later than its file''s ingestion plus the tolerance ('
                    || strftime(pushed_at_limit, '%Y-%m-%d %H:%M:%S')
                    || ' UTC): the app''s clock or its pushed_at is wrong'
       END AS detail
FROM reasoned
