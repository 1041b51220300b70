-- Landed usage rows that break the contract or cannot be billed, with a reason code.
-- stage 'ingestion': decided once from the row and the catalog (mirrored from the ledger;
-- an unreadable file appears once, by name, with file_row_number NULL: a reason, not a row).
-- stage 'rating': decided each time the period is rated, from account links and subscriptions
-- (replaced then).
CREATE TABLE IF NOT EXISTS usage_quarantine (
    reason           VARCHAR NOT NULL,     -- reason code: missing_column, null_required,
                                           -- bad_type, negative_value, bad_window, unknown_account, ...
                                           -- (docs/usage-counters.md, docs/ledger.md)
    billing_period   VARCHAR,              -- YYYY-MM in the billing time zone; NULL when the
                                           -- row's window cannot be placed
    file_id          BIGINT NOT NULL,      -- landed_files.file_id
    file_path        VARCHAR NOT NULL,     -- relative to the landing root
    file_row_number  BIGINT,               -- 0-based row position in the file; NULL for a
                                           -- whole unreadable file (a reason, not a row)
    counter_id       VARCHAR,              -- the app's idempotency key, as landed (NULL: absent)
    service          VARCHAR,              -- service code, as landed (catalog_services.service)
    account_id       VARCHAR,              -- the app's account id, as landed
    metric           VARCHAR,              -- metric code, as landed (catalog_metrics.metric)
    period_start     TIMESTAMP,            -- the counter's window start, UTC (inclusive)
    period_end       TIMESTAMP,            -- the counter's window end, UTC (exclusive)
    value            DECIMAL(38, 9),       -- the counter's value in the metric's unit; NULL
                                           -- when absent or not a number
    unique_key       VARCHAR,              -- the distinct item of a unique_count metric
    dimensions       VARCHAR,              -- the row's dimensions, a JSON object as landed
    pushed_at        TIMESTAMP,            -- when the app produced the row, UTC
    detail           VARCHAR,              -- what was found (one value) and what the contract
                                           -- wants; for unreadable_file, the read error
    stage            VARCHAR NOT NULL,     -- 'ingestion' | 'rating'
    ingestion_id     BIGINT                -- the ingestion that landed the row
                                           -- (ingestions.ingestion_id)
)
