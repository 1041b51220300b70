-- The last re-rate of each closed period (fusion-rating adjust): the invoice lines it would
-- have today, from everything the ledger holds now, with the period's subscriptions and
-- account links as they stood (rated_subscriptions, rated_account_links) and the prices in
-- force for it. Same columns as invoice_lines, plus the run; replaced per period by a run
-- that re-rated it. Scratch copies of the rating's tables live in the schema rerate only while
-- a re-rate runs.
CREATE TABLE IF NOT EXISTS rerated_lines (
    billing_period    VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    run_id            VARCHAR NOT NULL,   -- the adjustment run that re-rated it
                                          -- (adjustment_runs.run_id)
    invoice_key       VARCHAR NOT NULL,   -- '<customer_key>/<service>/<billing_period>'
                                          -- (invoice_lines.invoice_key)
    customer_key      VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    service           VARCHAR NOT NULL,   -- catalog_services.service
    currency          VARCHAR NOT NULL,   -- ISO code of the amounts (the plan's currency)
    line_number       INTEGER NOT NULL,   -- 1-based within the re-rated invoice (may differ
                                          -- from invoice_lines': compare lines by identity)
    product_code      VARCHAR NOT NULL,   -- Odoo product default_code
    description       VARCHAR NOT NULL,   -- the line's text as a rating would write it
    quantity          DECIMAL(38, 9) NOT NULL,  -- usage in the metric's unit (0 on a true-up)
    billable_units    DECIMAL(38, 9) NOT NULL,  -- quantity less the included units
    amount            DECIMAL(38, 2) NOT NULL,  -- in cents of the currency, before taxes,
                                                -- rounded half-up once per line
    amount_unrounded  DECIMAL(38, 18) NOT NULL, -- the exact amount before rounding to cents
    subscription_id   VARCHAR NOT NULL,   -- rated_subscriptions.subscription_id
    charge_id         VARCHAR NOT NULL,   -- catalog_charges.charge_id
    group_value       VARCHAR,            -- the group_by dimension's value; NULL: no group
    line_kind         VARCHAR NOT NULL,   -- 'usage' | 'minimum_true_up'
    billing_month     DATE                -- billing_period as a DATE (its first day), for
                                          -- BI tools' date axes
)
