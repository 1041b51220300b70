-- Every ingestion's rows are in the ledger: one row per ingestion whose count differs (needs
-- the ledger attached).
SELECT i.ingestion_id, i.rows_read, coalesce(n.rows_in_ledger, 0) AS rows_in_ledger
FROM ledger.ingestions i
LEFT JOIN (SELECT ingestion_id, count(*) AS rows_in_ledger
           FROM ledger.usage_rows GROUP BY ingestion_id) n
       ON n.ingestion_id = i.ingestion_id
WHERE i.rows_read <> coalesce(n.rows_in_ledger, 0)
ORDER BY i.ingestion_id
