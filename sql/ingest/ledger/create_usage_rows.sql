-- The usage ledger: every row of every readable usage file, once, with its fate. Partitioned
-- by billing period (rating.ingest.ledger), so rating one period reads that period's files only.
CREATE TABLE IF NOT EXISTS ledger.usage_rows (
    period_key       INTEGER NOT NULL,    -- YYYYMM of the billing period; 0: cannot be placed
    status           VARCHAR NOT NULL,    -- 'accepted' | 'superseded' | 'quarantined'
    reason           VARCHAR,             -- why the row was quarantined (kept if superseded)
    ingestion_id     BIGINT NOT NULL,
    changed_in       BIGINT,              -- the ingestion that last changed its status (a
                                          -- later push superseded it, or a changed catalog
                                          -- re-decided a catalog reason)
    file_id          BIGINT NOT NULL,
    file_row_number  BIGINT NOT NULL,     -- 0-based row position in the file
    key_hash         UBIGINT,             -- hash(service, counter_id); NULL: no usable key
    counter_id       VARCHAR,
    service          VARCHAR,
    account_id       VARCHAR,
    metric           VARCHAR,
    period_start     TIMESTAMP,
    period_end       TIMESTAMP,
    value            DECIMAL(38, 9),
    unique_key       VARCHAR,
    dimensions       VARCHAR,
    pushed_at        TIMESTAMP,
    detail           VARCHAR              -- a quarantined row's evidence that the columns above
                                          -- lose (the file's column type, the raw value that
                                          -- did not parse, the pushed_at limit); NULL when the
                                          -- row shows it (the warehouse's detail says it)
)
