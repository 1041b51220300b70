-- The period's accepted rows, rated or held (their sum must be the ledger's accepted rows).
SELECT status, coalesce(sum(counter_rows), 0) AS row_count FROM usage_outcomes
GROUP BY status ORDER BY status
