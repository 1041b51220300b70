-- One streaming pass over every landed row: each row's fate (accepted, superseded, or
-- quarantined with a reason), with accepted rows aggregated on the fly per billing period,
-- subscription, metric, group and source file (and distinct item, for unique_count), which
-- rate/insert_usage_rollups.sql rolls up per period. A quarantined row stays a group of its
-- own, keeping its raw fields; superseded rows are only counted. Nothing is sorted, no
-- DISTINCT aggregate runs over the rows, and no row-level table is kept.
--
-- Re-pushes: see create_superseded_rows.sql. The winner alone is validated: a bad latest push
-- quarantines the counter rather than reviving an older value. Reasons are checked in the
-- order below; a row gets the first that applies.
--
-- Aggregation rules: `last` is the value of the window ending last (ties: the later window
-- start, then the later pushed_at, then the greater counter_id); `time_weighted_avg` keeps
-- sum(value * window microseconds) here and is divided by the period's length when rolled up.
CREATE OR REPLACE TEMP TABLE usage_outcomes AS
WITH landed AS (
    {landed_source}
),
joined AS (
    SELECT u.*,
           list_contains($known_services, u.service) AS service_known,
           m.metric IS NOT NULL AS metric_known,
           m.metric_key,
           m.aggregation,
           m.filter_json,
           m.group_by,
           p.period_key,
           p.end_at AS billing_period_end,
           a.customer_key,
           coalesce(a.ambiguous, false) AS account_ambiguous,
           sub.subscription_key,
           sup.file_id IS NOT NULL AS superseded
    FROM landed u
    LEFT JOIN superseded_rows sup
           ON sup.file_id = u.file_id AND sup.file_row_number = u.file_row_number
    LEFT JOIN cat_metrics m ON m.service = u.service AND m.metric = u.metric
    LEFT JOIN period_buckets p
           ON p.utc_month = date_trunc('month', u.period_start)
          AND u.period_start >= p.start_at AND u.period_start < p.end_at
    LEFT JOIN account_links a ON a.service = u.service AND a.account_id = u.account_id
    LEFT JOIN ref_subscriptions sub
           ON sub.service = u.service AND sub.account_id = u.account_id
          AND u.period_start >= sub.start_at AND u.period_start < sub.end_at_or_infinity
),
reasoned AS (
    SELECT j.*,
           CASE
               WHEN j.superseded THEN NULL
               WHEN len(j.missing_columns) > 0 THEN 'missing_column'
               WHEN NOT j.has_value_column AND j.metric_known
                    AND j.aggregation <> 'unique_count' THEN 'missing_column'
               WHEN j.timestamp_unparsed THEN 'bad_timestamp'
               WHEN j.value_unparsed THEN 'not_a_number'
               -- A blank counter_id is as missing as NULL: it is no key at all. (A blank
               -- service, account or metric is caught below as unknown.)
               WHEN is_blank(j.counter_id) OR j.service IS NULL OR j.account_id IS NULL
                    OR j.metric IS NULL OR j.period_start IS NULL
                    OR j.period_end IS NULL OR j.pushed_at IS NULL THEN 'null_required'
               WHEN j.value IS NULL AND j.aggregation IS DISTINCT FROM 'unique_count'
                   THEN 'null_required'
               WHEN is_blank(j.unique_key) AND j.aggregation = 'unique_count'
                   THEN 'null_required'
               WHEN j.value < 0 THEN 'negative_value'
               -- Above 10^15 a counter is a unit mix-up (bytes sent as GB), and window
               -- weighting or pricing it would overflow DuckDB's 38 digits.
               WHEN j.value > 1000000000000000 THEN 'value_out_of_range'
               WHEN j.period_end <= j.period_start THEN 'bad_window'
               WHEN NOT j.service_known THEN 'unknown_service'
               WHEN NOT j.metric_known THEN 'unknown_metric'
               WHEN NOT dimensions_ok(j.dimensions) THEN 'bad_dimensions_json'
               WHEN j.period_key IS NULL THEN 'outside_billing_periods'
               WHEN j.period_end > j.billing_period_end THEN 'window_crosses_period'
               WHEN j.account_ambiguous THEN 'ambiguous_account'
               WHEN j.customer_key IS NULL THEN 'unknown_account'
               WHEN j.subscription_key IS NULL THEN 'no_subscription'
               WHEN j.filter_json IS NOT NULL
                    AND NOT json_contains(coalesce(j.dimensions, '{}'), j.filter_json)
                   THEN 'filtered_out'
           END AS reason
    FROM joined j
),
fated AS (
    -- Booleans, not a status string: they are tested several times per row below.
    SELECT r.*,
           NOT r.superseded AND r.reason IS NULL AS ok,
           r.reason IS NOT NULL AS bad
    FROM reasoned r
),
grouped AS (
    SELECT superseded,
           reason,
           -- Integer keys (period, subscription, metric): far cheaper to group than text.
           CASE WHEN NOT superseded THEN period_key END AS period_key,
           CASE WHEN ok THEN subscription_key END AS subscription_key,
           CASE WHEN ok THEN metric_key END AS metric_key,
           CASE WHEN ok AND group_by IS NOT NULL
                THEN json_extract_string(dimensions, '$."' || group_by || '"') END AS group_value,
           CASE WHEN NOT superseded THEN file_id END AS file_id,
           CASE WHEN bad THEN file_row_number END AS quarantined_row_number,
           -- unique_count keeps one group per distinct item, counted when rolled up.
           CASE WHEN ok AND aggregation = 'unique_count' THEN unique_key END AS distinct_item,
           -- A quarantined group is one row: its raw fields, for usage_quarantine.
           any_value(CASE WHEN bad THEN struct_pack(
               counter_id := counter_id, service := service, account_id := account_id,
               metric := metric,
               period_start := period_start, period_end := period_end, value := value,
               unique_key := unique_key, dimensions := dimensions, pushed_at := pushed_at)
           END) AS raw,
           count(*) AS counter_rows,
           sum(accepted_value) AS sum_value,
           max(accepted_value) AS max_value,
           max(last_key) AS last_key,
           max_by(accepted_value, last_key) AS last_value,
           sum(CASE WHEN ok AND aggregation = 'time_weighted_avg'
                    THEN value * date_diff('microsecond', period_start, period_end) END)
               AS value_microseconds,
           min(period_start) AS first_window_start,
           max(period_end) AS last_window_end
    FROM (
        SELECT *,
               CASE WHEN ok THEN value END AS accepted_value,
               CASE WHEN ok AND aggregation = 'last'
                    THEN struct_pack(e := period_end, s := period_start, p := pushed_at,
                                     c := counter_id) END AS last_key
        FROM fated
    )
    GROUP BY ALL
)
SELECT CASE WHEN superseded THEN 'superseded'
            WHEN reason IS NULL THEN 'accepted'
            ELSE 'quarantined' END AS status,
       * EXCLUDE (superseded)
FROM grouped
