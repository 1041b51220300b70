SELECT reason, count(*) FROM usage_quarantine GROUP BY reason ORDER BY count(*) DESC, reason
