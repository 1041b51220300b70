-- Every usage file in the ledger's manifest (ledger.ingested_files, mirrored after each
-- ingestion): each file is read once, when it first lands.
CREATE TABLE IF NOT EXISTS landed_files (
    file_id          BIGINT PRIMARY KEY,   -- stable: derived from the path
    file_path        VARCHAR NOT NULL,     -- relative to the landing root
    rows_in_file     BIGINT,               -- NULL when the file is unreadable
    status           VARCHAR NOT NULL,     -- 'ingested' | 'unreadable'
    error            VARCHAR,
    missing_columns  VARCHAR[] NOT NULL,
    extra_columns    VARCHAR[] NOT NULL,   -- ignored, reported once here
    size_bytes       BIGINT NOT NULL,
    content_hash     VARCHAR NOT NULL,     -- sha256 of the bytes ingested
    ingestion_id     BIGINT NOT NULL,
    ingested_at      TIMESTAMP NOT NULL    -- UTC
)
