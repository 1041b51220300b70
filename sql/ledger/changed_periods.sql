-- The billing periods whose rows this ingestion added or superseded (YYYY-MM), in order.
SELECT CAST(period_key // 100 AS VARCHAR) || '-'
       || lpad(CAST(period_key % 100 AS VARCHAR), 2, '0') AS period
FROM (SELECT DISTINCT period_key
      FROM (SELECT period_key FROM ledger.usage_rows WHERE ingestion_id = $ingestion_id
            UNION ALL
            SELECT period_key FROM superseded_now))
WHERE period_key <> 0
ORDER BY period
