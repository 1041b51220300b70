-- The marker is one row, replaced by each sync (sync_record.sql).
DELETE FROM ledger_sync
