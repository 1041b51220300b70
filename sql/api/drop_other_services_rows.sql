-- Rows of files not yet ingested that belong to another service than the caller's: they can
-- neither be its usage nor supersede it (a counter's key is its service and counter_id).
DELETE FROM ledger.usage_rows WHERE service IS DISTINCT FROM $service
