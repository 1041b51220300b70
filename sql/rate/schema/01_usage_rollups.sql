-- Accepted usage per billing period, subscription, metric and group, by the metric's rule.
CREATE TABLE IF NOT EXISTS usage_rollups (
    billing_period      VARCHAR NOT NULL,   -- YYYY-MM, a calendar month in the billing time zone
    subscription_id     VARCHAR NOT NULL,   -- validated_subscriptions.subscription_id
    customer_key        VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    service             VARCHAR NOT NULL,   -- catalog_services.service
    account_id          VARCHAR NOT NULL,   -- the app's account id (validated_accounts)
    metric              VARCHAR NOT NULL,   -- catalog_metrics.metric
    aggregation         VARCHAR NOT NULL,   -- the metric's rule: sum | max | last |
                                            -- unique_count | time_weighted_avg
    group_value         VARCHAR,            -- value of the metric's group_by dimension; NULL:
                                            -- the metric has no group_by, or the row lacks it
    quantity            DECIMAL(38, 9) NOT NULL,  -- the aggregate, in the metric's unit
                                                  -- (catalog_metrics.unit), 9 decimals
    counter_rows        BIGINT NOT NULL,    -- accepted counter rows aggregated
    source_file_count   BIGINT NOT NULL,    -- distinct usage files those rows came from
    source_file_ids     BIGINT[] NOT NULL,  -- those files, sorted (landed_files.file_id)
    first_window_start  TIMESTAMP NOT NULL, -- the earliest counter window's start, UTC
    last_window_end     TIMESTAMP NOT NULL  -- the latest counter window's end, UTC
)
