SELECT reason, count(*) AS rows FROM usage_quarantine GROUP BY reason ORDER BY count(*) DESC, reason
