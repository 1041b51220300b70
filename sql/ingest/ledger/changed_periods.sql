-- The billing periods whose rows this ingestion added, superseded or decided again (YYYY-MM).
SELECT CAST(period_key // 100 AS VARCHAR) || '-'
       || lpad(CAST(period_key % 100 AS VARCHAR), 2, '0') AS period
FROM (SELECT DISTINCT period_key
      FROM ledger.usage_rows
      WHERE ingestion_id = $ingestion_id OR changed_in = $ingestion_id)
WHERE period_key <> 0
ORDER BY period
