-- Accepted usage of a closed period that arrived after it closed (new files: late counters and
-- corrections), per subscription, metric, group and file. Never rated into the closed period;
-- the raw material of the adjustment lines of a later issue.
CREATE TABLE IF NOT EXISTS late_usage (
    billing_period      VARCHAR NOT NULL,  -- the closed period (closed_periods.billing_period)
    subscription_id     VARCHAR NOT NULL,  -- validated_subscriptions.subscription_id
    customer_key        VARCHAR NOT NULL,  -- the customer (customers.customer_key)
    service             VARCHAR NOT NULL,  -- catalog_services.service
    account_id          VARCHAR NOT NULL,  -- the app's account id
    metric              VARCHAR NOT NULL,  -- catalog_metrics.metric
    aggregation         VARCHAR NOT NULL,  -- the metric's rule (catalog_metrics.aggregation)
    group_value         VARCHAR,           -- the group_by dimension's value; NULL: no group
    file_id             BIGINT NOT NULL,   -- the late file (landed_files.file_id)
    file_path           VARCHAR NOT NULL,  -- relative to the landing root
    counter_rows        BIGINT NOT NULL,   -- accepted counter rows of that file
    sum_value           DECIMAL(38, 9),    -- their values summed, in the metric's unit
    max_value           DECIMAL(38, 9),    -- their largest value, in the metric's unit
    first_window_start  TIMESTAMP NOT NULL, -- the earliest counter window's start, UTC
    last_window_end     TIMESTAMP NOT NULL  -- the latest counter window's end, UTC
)
