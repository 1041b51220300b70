-- margin_daily summed per billing period. Revenue is the rated amount (in cents already);
-- cost and margin keep the allocation's 9 decimals, so that any sum of rows is exact (round
-- for display only).
CREATE TABLE IF NOT EXISTS margin_monthly (
    billing_period  VARCHAR NOT NULL,      -- YYYY-MM in the billing time zone
    service         VARCHAR NOT NULL,      -- catalog_services.service
    customer_key    VARCHAR,               -- the customer (customers.customer_key); NULL:
                                           -- unallocated cost
    metric          VARCHAR,               -- catalog_metrics.metric; NULL: a cost without one
    revenue         DECIMAL(38, 2) NOT NULL,  -- rated_charges.amount summed, in the plan's
                                              -- currency, cents
    cost            DECIMAL(38, 9) NOT NULL,  -- the costs allocated, in CAD, 9 decimals
    margin          DECIMAL(38, 9) NOT NULL,  -- revenue - cost, 9 decimals (CAD when the
                                              -- revenue is in CAD)
    margin_pct      DECIMAL(18, 2),        -- margin / revenue * 100, half away from zero to
                                           -- 2 decimals; NULL without revenue
    billing_month   DATE                   -- billing_period as a DATE (its first day), for
                                           -- BI tools' date axes
)
