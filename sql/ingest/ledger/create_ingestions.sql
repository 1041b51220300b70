-- One row per ingestion: what it read and how its rows were classified when it ran (later
-- pushes may supersede some of them; the count of rows never changes).
CREATE TABLE IF NOT EXISTS ledger.ingestions (
    ingestion_id             BIGINT NOT NULL,
    kind                     VARCHAR NOT NULL,    -- 'incremental' | 'rebuild' | 'redecision'
    started_at               TIMESTAMP NOT NULL,  -- UTC
    files_new                BIGINT NOT NULL,
    files_unreadable         BIGINT NOT NULL,
    rows_read                BIGINT NOT NULL,
    rows_accepted            BIGINT NOT NULL,
    rows_superseded          BIGINT NOT NULL,     -- new rows that lost to a later push
    rows_quarantined         BIGINT NOT NULL,
    earlier_rows_superseded  BIGINT NOT NULL,     -- rows of earlier ingestions it superseded
    rows_redecided           BIGINT NOT NULL,     -- quarantined rows decided again (changed catalog)
    periods                  VARCHAR[] NOT NULL   -- billing periods whose rows it changed
)
