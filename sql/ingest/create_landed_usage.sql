-- Every row read from a readable usage file, projected onto the contract's columns.
CREATE OR REPLACE TEMP TABLE landed_usage (
    file_id             BIGINT NOT NULL,   -- stable id of the source file (hash of its path)
    file_row_number     BIGINT NOT NULL,   -- 0-based position of the row in its file
    counter_id          VARCHAR,
    service             VARCHAR,
    account_id          VARCHAR,
    metric              VARCHAR,
    unique_key          VARCHAR,
    dimensions          VARCHAR,
    period_start        TIMESTAMP,         -- UTC
    period_end          TIMESTAMP,         -- UTC
    pushed_at           TIMESTAMP,         -- UTC
    value               DECIMAL(38, 9),
    value_unparsed      BOOLEAN NOT NULL,  -- a value was present but is not a finite number
    timestamp_unparsed  BOOLEAN NOT NULL   -- a timestamp was present but could not be read
)
