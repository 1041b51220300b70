-- The manifest: every usage file ever ingested, once. A file already here is not read again;
-- the same path with other content is held (rating.ingest), never mixed in.
CREATE TABLE IF NOT EXISTS ledger.ingested_files (
    file_id          BIGINT NOT NULL,     -- stable: derived from the path
    file_path        VARCHAR NOT NULL,    -- relative to the landing root
    size_bytes       BIGINT NOT NULL,
    modified_at      TIMESTAMP,           -- when it was last seen modified (cheap change check)
    content_hash     VARCHAR NOT NULL,    -- sha256 of the file's bytes
    rows_in_file     BIGINT,              -- NULL when the file is unreadable
    status           VARCHAR NOT NULL,    -- 'ingested' | 'unreadable'
    error            VARCHAR,
    missing_columns  VARCHAR[] NOT NULL,
    extra_columns    VARCHAR[] NOT NULL,
    has_value_column BOOLEAN NOT NULL,
    ingestion_id     BIGINT NOT NULL,
    ingested_at      TIMESTAMP NOT NULL   -- UTC; also the reference for pushed_at_in_future
)
