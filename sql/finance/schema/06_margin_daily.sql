-- Margin per day and per period, by service, customer and metric: revenue is what we rated
-- (rated_charges.amount), cost what was allocated (cost_allocations), margin = revenue - cost,
-- margin_pct = margin / revenue * 100 (NULL without revenue). Revenue per day spreads a
-- period's rated amount over its days in proportion to the customer's usage of the metric
-- each day (evenly over the period's days when there was none: flat fees, minimums).
CREATE TABLE IF NOT EXISTS margin_daily (
    day             DATE NOT NULL,         -- a day of the billing period (billing time zone)
    billing_period  VARCHAR NOT NULL,      -- YYYY-MM in the billing time zone
    service         VARCHAR NOT NULL,      -- catalog_services.service
    customer_key    VARCHAR,               -- the customer (customers.customer_key); NULL:
                                           -- unallocated cost
    metric          VARCHAR,               -- catalog_metrics.metric; NULL: a cost without one
    revenue         DECIMAL(38, 9) NOT NULL,  -- the day's share of the rated amount, in the
                                              -- plan's currency, 9 decimals (sums exactly to
                                              -- the period's cents)
    cost            DECIMAL(38, 9) NOT NULL,  -- the costs allocated, in CAD, 9 decimals
    margin          DECIMAL(38, 9) NOT NULL,  -- revenue - cost, 9 decimals (CAD when the
                                              -- revenue is in CAD)
    margin_pct      DECIMAL(18, 2)         -- margin / revenue * 100, half away from zero to
                                           -- 2 decimals; NULL without revenue
)
