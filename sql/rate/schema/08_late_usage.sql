-- Accepted usage of a closed period that arrived after it closed (new files: late counters and
-- corrections), per subscription, metric, group and file. Never rated into the closed period;
-- the raw material of the adjustment lines of a later issue.
CREATE TABLE IF NOT EXISTS late_usage (
    billing_period      VARCHAR NOT NULL,
    subscription_id     VARCHAR NOT NULL,
    customer_key        VARCHAR NOT NULL,
    service             VARCHAR NOT NULL,
    account_id          VARCHAR NOT NULL,
    metric              VARCHAR NOT NULL,
    aggregation         VARCHAR NOT NULL,
    group_value         VARCHAR,
    file_id             BIGINT NOT NULL,
    file_path           VARCHAR NOT NULL,
    counter_rows        BIGINT NOT NULL,
    sum_value           DECIMAL(38, 9),    -- sum and max aggregations
    max_value           DECIMAL(38, 9),
    first_window_start  TIMESTAMP NOT NULL,
    last_window_end     TIMESTAMP NOT NULL
)
