-- The ledger's ingestions (ledger.ingestions, mirrored): one row per ingestion of new files.
CREATE TABLE IF NOT EXISTS ingestions (
    ingestion_id             BIGINT PRIMARY KEY,
    kind                     VARCHAR NOT NULL,    -- 'incremental' | 'rebuild' | 'redecision'
    started_at               TIMESTAMP NOT NULL,
    files_new                BIGINT NOT NULL,
    files_unreadable         BIGINT NOT NULL,
    rows_read                BIGINT NOT NULL,     -- = accepted + superseded + quarantined
    rows_accepted            BIGINT NOT NULL,
    rows_superseded          BIGINT NOT NULL,
    rows_quarantined         BIGINT NOT NULL,
    earlier_rows_superseded  BIGINT NOT NULL,
    rows_redecided           BIGINT NOT NULL,     -- quarantined rows decided again
    periods                  VARCHAR[] NOT NULL
)
