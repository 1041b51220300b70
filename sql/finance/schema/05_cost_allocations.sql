-- Each provider cost row spread over customers: direct (its account's customer), usage_share
-- (pooled: in proportion to each customer's usage of the mapped metric in the billing
-- period) or unallocated (pooled, nobody used the metric in the period: kept, never dropped).
CREATE TABLE IF NOT EXISTS cost_allocations (
    cost_date       DATE NOT NULL,         -- provider_costs.cost_date
    billing_period  VARCHAR NOT NULL,      -- YYYY-MM: the billing period of cost_date
    provider        VARCHAR NOT NULL,      -- provider_costs.provider
    service         VARCHAR NOT NULL,      -- catalog_services.service
    customer_key    VARCHAR,               -- the customer (customers.customer_key); NULL
                                           -- when unallocated
    metric          VARCHAR,               -- the metric the cost is shared by
                                           -- (catalog_metrics.metric); NULL: direct cost
                                           -- without one
    allocation      VARCHAR NOT NULL,      -- 'direct' | 'usage_share' | 'unallocated'
    share           DECIMAL(38, 18) NOT NULL,  -- the customer's fraction of the cost row
                                               -- (0 to 1; 1 for direct and unallocated)
    cost_cad        DECIMAL(38, 9) NOT NULL    -- that part of the cost, in CAD, 9 decimals
)
