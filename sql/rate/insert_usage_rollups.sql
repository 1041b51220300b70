-- Accepted usage of one period aggregated per subscription, metric and group, by the metric's
-- rule. `last`: the value of the window ending last; ties: the later window start, then the
-- later pushed_at, then the greater counter_id. `time_weighted_avg`: sum(value * window length)
-- / period length, half-up to 9 decimals (GB stored over a month gives GB-months).
INSERT INTO usage_rollups
SELECT $billing_period AS billing_period,
       u.subscription_id,
       u.customer_key,
       u.service,
       u.account_id,
       u.metric,
       u.aggregation,
       u.group_value,
       CASE u.aggregation
           WHEN 'sum' THEN sum(u.value)
           WHEN 'max' THEN max(u.value)
           WHEN 'last' THEN max_by(u.value, struct_pack(e := u.period_end, s := u.period_start,
                                                        p := u.pushed_at, c := u.counter_id))
                            FILTER (WHERE u.aggregation = 'last')
           WHEN 'unique_count' THEN CAST(count(DISTINCT u.unique_key)
                                         FILTER (WHERE u.aggregation = 'unique_count')
                                         AS DECIMAL(38, 9))
           WHEN 'time_weighted_avg' THEN CAST(CAST(div_half_up(
                   CAST(sum(u.value * date_diff('microsecond', u.period_start, u.period_end))
                        FILTER (WHERE u.aggregation = 'time_weighted_avg') * 1000000000
                        AS HUGEINT),
                   $period_us) AS DECIMAL(38, 0)) * 0.000000001 AS DECIMAL(38, 9))
       END AS quantity,
       count(*) AS counter_rows,
       count(DISTINCT u.file_id) AS source_file_count,
       list_sort(list(DISTINCT u.file_id)) AS source_file_ids,
       min(u.period_start) AS first_window_start,
       max(u.period_end) AS last_window_end
FROM usage_classified u
WHERE u.status = 'accepted' AND u.billing_period = $billing_period
GROUP BY u.subscription_id, u.customer_key, u.service, u.account_id, u.metric, u.aggregation,
         u.group_value
ORDER BY u.subscription_id, u.metric, u.group_value NULLS FIRST
