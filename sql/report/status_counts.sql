SELECT status, count(*) FROM usage_classified GROUP BY status ORDER BY status
