-- Rows ingested before have no stored detail: the warehouse's detail is then derived from the
-- row alone (ledger/sync_insert_quarantine.sql), or absent for the reasons whose evidence the
-- row lost (bad_timestamp, not_a_number); `fusion-rating ingest --rebuild` fills it in.
ALTER TABLE ledger.usage_rows ADD COLUMN detail VARCHAR
