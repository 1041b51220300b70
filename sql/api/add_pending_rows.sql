-- The rows of files not yet ingested that can change the customer's month, beside its ledger
-- rows, before re-pushes are settled: those of its accounts, and those of other accounts that
-- push a counter again that one of its rows holds (a re-push may move a counter from one
-- account to another; a counter's key is its service and counter_id). The service's other rows
-- can change neither its usage nor what supersedes it.
INSERT INTO ledger.usage_rows
SELECT * FROM pending_rows p
WHERE p.service = $service
  AND (list_contains($accounts, p.account_id)
       OR p.key_hash IN (SELECT key_hash FROM ledger.usage_rows WHERE key_hash IS NOT NULL)
       OR p.key_hash IN (SELECT key_hash FROM pending_rows
                         WHERE service = $service AND list_contains($accounts, account_id)
                           AND key_hash IS NOT NULL))
