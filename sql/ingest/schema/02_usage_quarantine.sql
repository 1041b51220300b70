-- Landed usage rows that break the contract or cannot be billed, with a reason code.
-- stage 'ingestion': decided once from the row and the catalog (mirrored from the ledger;
-- an unreadable file appears once, by name, with file_row_number NULL: a reason, not a row). stage 'rating':
-- decided each time the period is rated, from account links and subscriptions (replaced then).
CREATE TABLE IF NOT EXISTS usage_quarantine (
    reason           VARCHAR NOT NULL,
    billing_period   VARCHAR,              -- NULL when the row's window cannot be placed
    file_id          BIGINT NOT NULL,
    file_path        VARCHAR NOT NULL,
    file_row_number  BIGINT,               -- 0-based row position in the file
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
    detail           VARCHAR,              -- what was found (one value) and what the contract
                                           -- wants; for unreadable_file, the read error
    stage            VARCHAR NOT NULL,     -- 'ingestion' | 'rating'
    ingestion_id     BIGINT                -- the ingestion that landed the row
)
