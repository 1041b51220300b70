-- Accepted usage of one period per subscription, metric and group, by the metric's rule (see
-- ingest/create_usage_outcomes.sql). time_weighted_avg: sum(value * window length) / period
-- length, half-up to 9 decimals (GB stored over a month gives GB-months).
INSERT INTO usage_rollups
SELECT $billing_period,
       s.subscription_id,
       any_value(a.customer_key),
       any_value(s.service),
       any_value(s.account_id),
       m.metric,
       any_value(m.aggregation),
       o.group_value,
       CASE any_value(m.aggregation)
           WHEN 'sum' THEN sum(o.sum_value)
           WHEN 'max' THEN max(o.max_value)
           WHEN 'last' THEN max_by(o.last_value, o.last_key)
           WHEN 'unique_count' THEN CAST(count(DISTINCT o.distinct_item) AS DECIMAL(38, 9))
           WHEN 'time_weighted_avg' THEN CAST(CAST(div_half_up(
                   to_scaled(sum(o.value_microseconds)), $period_us)
                   AS DECIMAL(38, 0)) * 0.000000001 AS DECIMAL(38, 9))
       END AS quantity,
       sum(o.counter_rows) AS counter_rows,
       count(DISTINCT o.file_id) AS source_file_count,
       list_sort(list(DISTINCT o.file_id)) AS source_file_ids,
       min(o.first_window_start),
       max(o.last_window_end)
FROM usage_outcomes o
JOIN ref_subscriptions s ON s.subscription_key = o.subscription_key
JOIN ref_accounts a ON a.service = s.service AND a.account_id = s.account_id
JOIN cat_metrics m ON m.metric_key = o.metric_key
WHERE o.status = 'accepted' AND o.period_key = $period_key
GROUP BY s.subscription_id, m.metric, o.group_value
ORDER BY s.subscription_id, m.metric, o.group_value NULLS FIRST
