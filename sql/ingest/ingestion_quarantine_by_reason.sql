SELECT reason, count(*) AS row_count FROM usage_quarantine
WHERE stage = 'ingestion' AND ingestion_id = $ingestion_id
GROUP BY reason ORDER BY count(*) DESC, reason
