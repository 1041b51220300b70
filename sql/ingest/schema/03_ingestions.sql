-- The ledger's ingestions (ledger.ingestions, mirrored): one row per ingestion of new files.
CREATE TABLE IF NOT EXISTS ingestions (
    ingestion_id             BIGINT PRIMARY KEY,  -- increasing with each ingestion
    kind                     VARCHAR NOT NULL,    -- 'incremental' | 'rebuild' | 'redecision'
                                                  -- (a changed catalog decided rows again)
    started_at               TIMESTAMP NOT NULL,  -- UTC (wall clock)
    files_new                BIGINT NOT NULL,     -- usage files read for the first time
    files_unreadable         BIGINT NOT NULL,     -- of those, files that are not Parquet
    rows_read                BIGINT NOT NULL,     -- = accepted + superseded + quarantined
    rows_accepted            BIGINT NOT NULL,     -- rows valid and the latest push of their
                                                  -- counter
    rows_superseded          BIGINT NOT NULL,     -- rows replaced by a later push of the same
                                                  -- counter_id
    rows_quarantined         BIGINT NOT NULL,     -- rows sent to usage_quarantine at ingestion
    earlier_rows_superseded  BIGINT NOT NULL,     -- rows of earlier ingestions this one's
                                                  -- pushes replaced
    rows_redecided           BIGINT NOT NULL,     -- quarantined rows decided again
    periods                  VARCHAR[] NOT NULL   -- billing periods (YYYY-MM) whose rows changed
)
