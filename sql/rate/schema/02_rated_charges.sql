-- One line per billing period, subscription, charge and group (and a minimum true-up line
-- where a charge's minimum exceeds what its usage came to).
CREATE TABLE IF NOT EXISTS rated_charges (
    billing_period        VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    customer_key          VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    service               VARCHAR NOT NULL,   -- catalog_services.service
    subscription_id       VARCHAR NOT NULL,   -- validated_subscriptions.subscription_id
    account_id            VARCHAR NOT NULL,   -- the app's account id (validated_accounts)
    plan_code             VARCHAR NOT NULL,   -- catalog_plans.plan_code
    charge_id             VARCHAR NOT NULL,   -- catalog_charges.charge_id ('<plan>:<metric>')
    metric                VARCHAR NOT NULL,   -- catalog_metrics.metric
    group_value           VARCHAR,            -- the group_by dimension's value; NULL: no group
                                              -- (always NULL on a minimum_true_up line)
    line_kind             VARCHAR NOT NULL,   -- 'usage' | 'minimum_true_up'
    model                 VARCHAR,            -- per_unit | graduated | volume | package |
                                              -- percentage; NULL: no price in force (a
                                              -- blocking problem)
    price_effective_from  DATE,               -- the price version used
                                              -- (catalog_prices.effective_from); NULL: none
    product_code          VARCHAR NOT NULL,   -- Odoo product default_code
    currency              VARCHAR NOT NULL,   -- ISO code of the plan's currency (CAD, USD...)
    quantity              DECIMAL(38, 9) NOT NULL,   -- usage_rollups.quantity, in the
                                                     -- metric's unit (0 without usage)
    included_units        DECIMAL(38, 9) NOT NULL,   -- free units of the price, prorated to
                                                     -- the active time
    billable_units        DECIMAL(38, 9) NOT NULL,   -- quantity less included_units, at least 0
    breakdown             STRUCT(tier INTEGER, units DECIMAL(38, 9), unit_price DECIMAL(38, 9),
                                 flat_fee DECIMAL(38, 18), amount DECIMAL(38, 18))[],
                                              -- one entry per tier priced (a package or
                                              -- percentage: one): units, unit price (currency
                                              -- per unit), prorated flat fee and exact amount;
                                              -- NULL: no price
    amount_unrounded      DECIMAL(38, 18),    -- the exact amount in the currency, 18 decimals;
                                              -- NULL: no price in force
    amount                DECIMAL(38, 2),     -- half-up to cents, once, here: what is invoiced;
                                              -- NULL: no price in force
    active_us             BIGINT NOT NULL,    -- subscription's active time in the period, in
                                              -- microseconds (proration's numerator)
    period_us             BIGINT NOT NULL,    -- the period's length in microseconds
                                              -- (proration's denominator)
    counter_rows          BIGINT NOT NULL,    -- accepted counter rows behind the quantity
    source_file_count     BIGINT NOT NULL,    -- distinct usage files behind it
    source_file_ids       BIGINT[] NOT NULL,  -- those files (landed_files.file_id)
    description           VARCHAR NOT NULL,   -- the invoice line's text (the charge's
                                              -- template filled in)
    billing_month         DATE                -- billing_period as a DATE (its first day), for
                                              -- BI tools' date axes
)
