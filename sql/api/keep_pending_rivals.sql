-- The published ledger's live rows (accepted or quarantined: superseded rows compete no more)
-- whose key (service and counter_id, by key_hash) a row of the files not yet ingested pushes
-- again, of any account or period: the ingestion settles re-pushes against the whole ledger,
-- so a later push under another account supersedes the customer's late one. Kept with
-- pending_rows (one scan of the ledger per set of pending files, not per request).
CREATE OR REPLACE TEMP TABLE pending_rivals AS
SELECT * FROM published_ledger.usage_rows
WHERE status <> 'superseded'
  AND key_hash IN (SELECT key_hash FROM pending_rows WHERE key_hash IS NOT NULL)
