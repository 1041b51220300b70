SELECT status, sum(counter_rows) FROM usage_outcomes GROUP BY status ORDER BY status
