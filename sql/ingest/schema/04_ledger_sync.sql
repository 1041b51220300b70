-- The last ingestion whose results are mirrored into landed_files, ingestions and
-- usage_quarantine, and which ledger they came from (its generation: a new ledger or a rebuild
-- starts another, and the mirror is then rebuilt whole). rating.ingest catches up from here
-- after an interrupted run.
CREATE TABLE IF NOT EXISTS ledger_sync (
    through_ingestion_id  BIGINT NOT NULL,   -- the last ingestion mirrored
                                             -- (ingestions.ingestion_id)
    generation            VARCHAR NOT NULL   -- the ledger's generation (an opaque id)
)
