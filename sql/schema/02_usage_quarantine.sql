-- Landed usage rows that break the contract or cannot be billed yet, with a reason code.
-- An unreadable file appears once, by name, with file_row_number NULL.
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
    detail           VARCHAR
)
