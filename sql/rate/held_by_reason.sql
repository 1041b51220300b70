SELECT reason, sum(counter_rows) AS row_count FROM usage_outcomes WHERE status = 'quarantined'
GROUP BY reason ORDER BY sum(counter_rows) DESC, reason
