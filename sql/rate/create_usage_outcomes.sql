-- One streaming pass over the period's accepted ledger rows: each row is rated or held for a
-- reason that depends on the account links, subscriptions and catalog in force now; rated rows
-- are aggregated on the fly per subscription, metric, group and source file (and distinct item,
-- for unique_count), which rate/insert_usage_rollups.sql rolls up. A held row stays a group of
-- its own, keeping its fields for usage_quarantine. Nothing is sorted and no DISTINCT aggregate
-- runs over the rows.
--
-- What depends on the row and the catalog was decided at ingestion (ledger/insert_usage_rows
-- .sql); it is checked again here only where the catalog may have changed since (a metric
-- removed, an aggregation changed), so that no accepted row is ever dropped silently. Reasons
-- are checked in the order below; a row gets the first that applies.
--
-- Aggregation rules: `last` is the value of the window ending last (ties: the later window
-- start, then the later pushed_at, then the greater counter_id); `time_weighted_avg` keeps
-- sum(value * window microseconds) here and is divided by the period's length when rolled up.
CREATE OR REPLACE TEMP TABLE usage_outcomes AS
WITH joined AS (
    -- The ledger's own status and reason are those of ingestion: this pass gives its own.
    SELECT u.* EXCLUDE (status, reason),
           m.metric IS NOT NULL AS metric_known,
           m.metric_key,
           m.aggregation,
           m.filter_json,
           m.group_by,
           a.customer_key,
           coalesce(a.ambiguous, false) AS account_ambiguous,
           sub.subscription_key
    FROM ledger.usage_rows u
    LEFT JOIN cat_metrics m ON m.service = u.service AND m.metric = u.metric
    LEFT JOIN account_links a ON a.service = u.service AND a.account_id = u.account_id
    LEFT JOIN ref_subscriptions sub
           ON sub.service = u.service AND sub.account_id = u.account_id
          AND u.period_start >= sub.start_at AND u.period_start < sub.end_at_or_infinity
    WHERE u.period_key = $period_key AND u.status = 'accepted'
),
reasoned AS (
    SELECT j.*,
           CASE
               WHEN NOT j.metric_known THEN 'unknown_metric'
               WHEN j.value IS NULL AND j.aggregation <> 'unique_count' THEN 'null_required'
               WHEN is_blank(j.unique_key) AND j.aggregation = 'unique_count'
                   THEN 'null_required'
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
    SELECT r.*, r.reason IS NULL AS ok, r.reason IS NOT NULL AS bad
    FROM reasoned r
),
grouped AS (
    SELECT reason,
           period_key,
           -- Integer keys (subscription, metric): far cheaper to group than text.
           CASE WHEN ok THEN subscription_key END AS subscription_key,
           CASE WHEN ok THEN metric_key END AS metric_key,
           CASE WHEN ok AND group_by IS NOT NULL
                THEN json_extract_string(dimensions, '$."' || group_by || '"') END AS group_value,
           file_id,
           -- In a closed period: accepted by a decision taken after the close (late usage).
           coalesce(changed_in > $closed_through, false) AS changed_after_close,
           CASE WHEN bad THEN file_row_number END AS quarantined_row_number,
           -- unique_count keeps one group per distinct item, counted when rolled up.
           CASE WHEN ok AND aggregation = 'unique_count' THEN unique_key END AS distinct_item,
           -- A held group is one row: its fields, for usage_quarantine.
           any_value(CASE WHEN bad THEN struct_pack(
               counter_id := counter_id, service := service, account_id := account_id,
               metric := metric,
               period_start := period_start, period_end := period_end, value := value,
               unique_key := unique_key, dimensions := dimensions, pushed_at := pushed_at,
               ingestion_id := ingestion_id)
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
SELECT CASE WHEN reason IS NULL THEN 'accepted' ELSE 'quarantined' END AS status, *
FROM grouped
