-- margin_daily summed per billing period. Revenue is the rated amount (in cents already);
-- cost and margin keep the allocation's 9 decimals, so that any sum of rows is exact (round
-- for display only).
CREATE TABLE IF NOT EXISTS margin_monthly (
    billing_period  VARCHAR NOT NULL,
    service         VARCHAR NOT NULL,
    customer_key    VARCHAR,
    metric          VARCHAR,
    revenue         DECIMAL(38, 2) NOT NULL,
    cost            DECIMAL(38, 9) NOT NULL,
    margin          DECIMAL(38, 9) NOT NULL,
    margin_pct      DECIMAL(18, 2)
)
