-- Every landed row with its fate: 'accepted', 'superseded' or 'quarantined' (with a reason).
--
-- Re-pushes: rows sharing (service, counter_id) are ranked by pushed_at, latest first; on equal
-- pushed_at the row from the file whose path sorts last wins, then the later row in that file.
-- The winner alone is validated: a bad latest push quarantines the counter rather than reviving
-- an older value. Rows without service, counter_id or pushed_at cannot take part and are
-- quarantined. Reasons are checked in the order below; a row gets the first that applies.
CREATE OR REPLACE TEMP TABLE usage_classified AS
WITH joined AS (
    SELECT u.*,
           f.file_rank,
           f.missing_columns,
           f.has_value_column,
           s.service IS NOT NULL AS service_known,
           m.metric IS NOT NULL AS metric_known,
           m.aggregation,
           m.filter_json,
           m.group_by,
           p.billing_period,
           p.end_at AS billing_period_end
    FROM landed_usage u
    JOIN landed_file_checks f ON f.file_id = u.file_id
    LEFT JOIN cat_services s ON s.service = u.service
    LEFT JOIN cat_metrics m ON m.service = u.service AND m.metric = u.metric
    ASOF LEFT JOIN billing_periods p ON u.period_start >= p.start_at
),
linked AS (
    SELECT j.*,
           a.customer_key,
           x.account_id IS NOT NULL AS account_ambiguous,
           sub.subscription_id,
           sub.end_at AS subscription_end
    FROM joined j
    LEFT JOIN ref_accounts a ON a.service = j.service AND a.account_id = j.account_id
    LEFT JOIN (SELECT DISTINCT service, account_id FROM account_checks
               WHERE reason = 'ambiguous_account') x
           ON x.service = j.service AND x.account_id = j.account_id
    ASOF LEFT JOIN ref_subscriptions sub
           ON sub.service = j.service AND sub.account_id = j.account_id
          AND j.period_start >= sub.start_at
),
reasoned AS (
    SELECT l.*,
           CASE
               WHEN len(l.missing_columns) > 0 THEN 'missing_column'
               WHEN NOT l.has_value_column AND l.metric_known
                    AND l.aggregation <> 'unique_count' THEN 'missing_column'
               WHEN l.timestamp_unparsed THEN 'bad_timestamp'
               WHEN l.value_unparsed THEN 'not_a_number'
               WHEN l.counter_id IS NULL OR l.service IS NULL OR l.account_id IS NULL
                    OR l.metric IS NULL OR l.period_start IS NULL OR l.period_end IS NULL
                    OR l.pushed_at IS NULL THEN 'null_required'
               WHEN l.value IS NULL AND l.aggregation IS DISTINCT FROM 'unique_count'
                   THEN 'null_required'
               WHEN l.unique_key IS NULL AND l.aggregation = 'unique_count' THEN 'null_required'
               WHEN l.value < 0 THEN 'negative_value'
               WHEN l.period_end <= l.period_start THEN 'bad_window'
               WHEN NOT l.service_known THEN 'unknown_service'
               WHEN NOT l.metric_known THEN 'unknown_metric'
               WHEN NOT dimensions_ok(l.dimensions)
                   THEN 'bad_dimensions_json'
               WHEN l.billing_period IS NULL THEN 'outside_billing_periods'
               WHEN l.period_end > l.billing_period_end THEN 'window_crosses_period'
               WHEN l.account_ambiguous THEN 'ambiguous_account'
               WHEN l.customer_key IS NULL THEN 'unknown_account'
               WHEN l.subscription_id IS NULL THEN 'no_subscription'
               WHEN l.subscription_end IS NOT NULL AND l.period_start >= l.subscription_end
                   THEN 'no_subscription'
               WHEN l.filter_json IS NOT NULL
                    AND NOT json_contains(coalesce(l.dimensions, '{}'), l.filter_json)
                   THEN 'filtered_out'
           END AS reason,
           CASE WHEN l.service IS NOT NULL AND l.counter_id IS NOT NULL
                     AND l.pushed_at IS NOT NULL
                THEN row_number() OVER (
                         PARTITION BY l.service, l.counter_id
                         ORDER BY l.pushed_at DESC, l.file_rank DESC, l.file_row_number DESC)
           END AS push_rank
    FROM linked l
)
SELECT r.file_id,
       r.file_row_number,
       r.counter_id,
       r.service,
       r.account_id,
       r.metric,
       r.unique_key,
       r.dimensions,
       r.period_start,
       r.period_end,
       r.pushed_at,
       r.value,
       r.billing_period,
       r.customer_key,
       r.subscription_id,
       r.aggregation,
       CASE WHEN r.group_by IS NOT NULL AND r.reason IS NULL
            THEN json_extract_string(r.dimensions, '$."' || r.group_by || '"') END AS group_value,
       CASE WHEN r.push_rank > 1 THEN NULL ELSE r.reason END AS reason,
       CASE WHEN r.push_rank > 1 THEN 'superseded'
            WHEN r.reason IS NULL THEN 'accepted'
            ELSE 'quarantined' END AS status
FROM reasoned r
