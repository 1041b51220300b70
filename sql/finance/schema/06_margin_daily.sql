-- Margin per day and per period, by service, customer and metric: revenue is what we rated
-- (rated_charges.amount), cost what was allocated (cost_allocations), margin = revenue - cost,
-- margin_pct = margin / revenue * 100 (NULL without revenue). Revenue per day spreads a
-- period's rated amount over its days in proportion to the customer's usage of the metric
-- each day (evenly over the period's days when there was none: flat fees, minimums).
CREATE TABLE IF NOT EXISTS margin_daily (
    day             DATE NOT NULL,
    billing_period  VARCHAR NOT NULL,
    service         VARCHAR NOT NULL,
    customer_key    VARCHAR,               -- NULL: unallocated cost
    metric          VARCHAR,
    revenue         DECIMAL(38, 9) NOT NULL,
    cost            DECIMAL(38, 9) NOT NULL,
    margin          DECIMAL(38, 9) NOT NULL,
    margin_pct      DECIMAL(18, 2)
)
