-- The period's ledger rows by status (what every landed row of the period became).
SELECT status, count(*) AS row_count FROM ledger.usage_rows WHERE period_key = $period_key
GROUP BY status ORDER BY status
