-- One row per usage file this ingestion records in the manifest: how it was read, what its
-- schema lacks, and the latest pushed_at its rows may carry (pushed_at_in_future).
CREATE OR REPLACE TEMP TABLE landed_file_checks (
    file_id           BIGINT NOT NULL,
    file_path         VARCHAR NOT NULL,   -- relative to the landing root
    size_bytes        BIGINT NOT NULL,
    modified_at       TIMESTAMP,
    content_hash      VARCHAR NOT NULL,
    rows_in_file      BIGINT,
    status            VARCHAR NOT NULL,   -- 'ingested' or 'unreadable'
    error             VARCHAR,
    missing_columns   VARCHAR[] NOT NULL,
    extra_columns     VARCHAR[] NOT NULL,
    has_value_column  BOOLEAN NOT NULL,
    ingestion_id      BIGINT NOT NULL,
    ingested_at       TIMESTAMP NOT NULL,
    pushed_at_limit   TIMESTAMP NOT NULL
)
