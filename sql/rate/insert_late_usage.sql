-- A file missing from landed_files fails the insert (file_path is NOT NULL), never drops a row.
INSERT INTO late_usage
SELECT $billing_period, s.subscription_id, a.customer_key, s.service, s.account_id, m.metric,
       m.aggregation, o.group_value, o.file_id, f.file_path, sum(o.counter_rows),
       sum(o.sum_value), max(o.max_value), min(o.first_window_start), max(o.last_window_end)
FROM usage_outcomes o
JOIN ref_subscriptions s ON s.subscription_key = o.subscription_key
JOIN ref_accounts a ON a.service = s.service AND a.account_id = s.account_id
JOIN cat_metrics m ON m.metric_key = o.metric_key
LEFT JOIN landed_files f ON f.file_id = o.file_id
WHERE o.status = 'accepted' AND o.period_key = $period_key
  AND (o.changed_after_close
       OR o.file_id NOT IN (SELECT file_id FROM closed_period_files
                            WHERE billing_period = $billing_period))
GROUP BY ALL
ORDER BY s.subscription_id, m.metric, o.group_value NULLS FIRST, f.file_path
