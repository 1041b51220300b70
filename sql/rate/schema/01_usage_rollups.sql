-- Accepted usage per billing period, subscription, metric and group, by the metric's rule.
CREATE TABLE IF NOT EXISTS usage_rollups (
    billing_period      VARCHAR NOT NULL,
    subscription_id     VARCHAR NOT NULL,
    customer_key        VARCHAR NOT NULL,
    service             VARCHAR NOT NULL,
    account_id          VARCHAR NOT NULL,
    metric              VARCHAR NOT NULL,
    aggregation         VARCHAR NOT NULL,
    group_value         VARCHAR,            -- value of the metric's group_by dimension
    quantity            DECIMAL(38, 9) NOT NULL,
    counter_rows        BIGINT NOT NULL,    -- accepted counter rows aggregated
    source_file_count   BIGINT NOT NULL,
    source_file_ids     BIGINT[] NOT NULL,  -- landed_files.file_id
    first_window_start  TIMESTAMP NOT NULL,
    last_window_end     TIMESTAMP NOT NULL
)
