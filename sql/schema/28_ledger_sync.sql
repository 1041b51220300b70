-- The last ingestion whose results are mirrored into landed_files, ingestions and
-- usage_quarantine (rating.ingest catches up from here after an interrupted run).
CREATE TABLE IF NOT EXISTS ledger_sync (
    through_ingestion_id  BIGINT NOT NULL
)
