-- This ingestion's rows by status and reason (quarantined reasons; superseded rows keep theirs
-- but are counted as superseded), and the rows of earlier ingestions it superseded.
SELECT status, CASE WHEN status = 'quarantined' THEN reason END AS reason, count(*) AS n
FROM ledger.usage_rows WHERE ingestion_id = $ingestion_id
GROUP BY ALL
UNION ALL
SELECT 'earlier_superseded', NULL, count(*) FROM superseded_now
WHERE ingestion_id < $ingestion_id
ORDER BY ALL
