-- Every usage file in the ledger's manifest (ledger.ingested_files, mirrored after each
-- ingestion): each file is read once, when it first lands.
CREATE TABLE IF NOT EXISTS landed_files (
    file_id          BIGINT PRIMARY KEY,   -- stable id derived from the path (usage_quarantine,
                                           -- usage_rollups.source_file_ids, late_usage point
                                           -- here)
    file_path        VARCHAR NOT NULL,     -- relative to the landing root (usage/...)
    rows_in_file     BIGINT,               -- rows read from the file; NULL when it is unreadable
    status           VARCHAR NOT NULL,     -- 'ingested' | 'unreadable' (held: held_inputs)
    error            VARCHAR,              -- why the file could not be read; NULL when ingested
    missing_columns  VARCHAR[] NOT NULL,   -- contract columns the file lacks (its rows are then
                                           -- quarantined as missing_column); empty if unreadable
    extra_columns    VARCHAR[] NOT NULL,   -- columns outside the contract: ignored, reported
                                           -- once here
    size_bytes       BIGINT NOT NULL,      -- the file's size in bytes when ingested
    content_hash     VARCHAR NOT NULL,     -- sha256 (hex) of the bytes ingested: other bytes
                                           -- at the same path are held, never mixed in
    ingestion_id     BIGINT NOT NULL,      -- the ingestion that read it (ingestions.ingestion_id)
    ingested_at      TIMESTAMP NOT NULL    -- when it was ingested, UTC (wall clock)
)
