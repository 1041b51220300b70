-- One line per billing period, subscription, charge and group (and a minimum true-up line
-- where a charge's minimum exceeds what its usage came to).
CREATE TABLE IF NOT EXISTS rated_charges (
    billing_period        VARCHAR NOT NULL,
    customer_key          VARCHAR NOT NULL,
    service               VARCHAR NOT NULL,
    subscription_id       VARCHAR NOT NULL,
    account_id            VARCHAR NOT NULL,
    plan_code             VARCHAR NOT NULL,
    charge_id             VARCHAR NOT NULL,
    metric                VARCHAR NOT NULL,
    group_value           VARCHAR,
    line_kind             VARCHAR NOT NULL,   -- 'usage' | 'minimum_true_up'
    model                 VARCHAR,            -- NULL: no price in force (a blocking problem)
    price_effective_from  DATE,
    product_code          VARCHAR NOT NULL,   -- Odoo product default_code
    currency              VARCHAR NOT NULL,
    quantity              DECIMAL(38, 9) NOT NULL,
    included_units        DECIMAL(38, 9) NOT NULL,   -- prorated
    billable_units        DECIMAL(38, 9) NOT NULL,
    breakdown             STRUCT(tier INTEGER, units DECIMAL(38, 9), unit_price DECIMAL(38, 9),
                                 flat_fee DECIMAL(38, 18), amount DECIMAL(38, 18))[],
    amount_unrounded      DECIMAL(38, 18),
    amount                DECIMAL(38, 2),     -- half-up to cents, once, here
    active_us             BIGINT NOT NULL,    -- subscription's active time in the period
    period_us             BIGINT NOT NULL,
    counter_rows          BIGINT NOT NULL,
    source_file_count     BIGINT NOT NULL,
    source_file_ids       BIGINT[] NOT NULL,
    description           VARCHAR NOT NULL
)
