-- Each provider cost row spread over customers: direct (its account's customer), usage_share
-- (pooled: in proportion to each customer's usage of the mapped metric in the billing
-- period) or unallocated (pooled, nobody used the metric in the period: kept, never dropped).
CREATE TABLE IF NOT EXISTS cost_allocations (
    cost_date       DATE NOT NULL,
    billing_period  VARCHAR NOT NULL,
    provider        VARCHAR NOT NULL,
    service         VARCHAR NOT NULL,
    customer_key    VARCHAR,               -- NULL when unallocated
    metric          VARCHAR,
    allocation      VARCHAR NOT NULL,      -- 'direct' | 'usage_share' | 'unallocated'
    share           DECIMAL(38, 18) NOT NULL,
    cost_cad        DECIMAL(38, 9) NOT NULL
)
