-- Accepted usage of one period per subscription, metric and group, by the metric's rule (see
-- ingest/create_usage_outcomes.sql). time_weighted_avg: sum(value * window length) / period
-- length, half-up to 9 decimals (GB stored over a month gives GB-months).
INSERT INTO usage_rollups
SELECT billing_period,
       subscription_id,
       any_value(customer_key),
       any_value(service),
       any_value(account_id),
       metric,
       any_value(aggregation) AS aggregation,
       group_value,
       CASE any_value(aggregation)
           WHEN 'sum' THEN sum(sum_value)
           WHEN 'max' THEN max(max_value)
           WHEN 'last' THEN max_by(last_value, last_key)
           WHEN 'unique_count' THEN CAST(count(DISTINCT distinct_item) AS DECIMAL(38, 9))
           WHEN 'time_weighted_avg' THEN CAST(CAST(div_half_up(
                   to_scaled(sum(value_microseconds)), $period_us)
                   AS DECIMAL(38, 0)) * 0.000000001 AS DECIMAL(38, 9))
       END AS quantity,
       sum(counter_rows) AS counter_rows,
       count(DISTINCT file_id) AS source_file_count,
       list_sort(list(DISTINCT file_id)) AS source_file_ids,
       min(first_window_start),
       max(last_window_end)
FROM usage_outcomes
WHERE status = 'accepted' AND billing_period = $billing_period
GROUP BY billing_period, subscription_id, metric, group_value
ORDER BY subscription_id, metric, group_value NULLS FIRST
