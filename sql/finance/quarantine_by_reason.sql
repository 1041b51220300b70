SELECT kind, reason, count(*) AS rows FROM finance_quarantine GROUP BY ALL ORDER BY ALL
