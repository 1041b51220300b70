-- The latest re-rate of each closed period from the ledger: the invoice lines the period would
-- have today (same statements as a rating, references as they stood). Replaced per period by
-- each adjust run that re-rated it; compared line by line with invoice_lines plus the issued
-- revisions (period_adjustment_lines).
CREATE TABLE IF NOT EXISTS rerated_lines (
    billing_period    VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone (a closed period)
    run_id            VARCHAR NOT NULL,   -- the adjust run that re-rated it
                                          -- (adjustment_runs.run_id)
    invoice_key       VARCHAR NOT NULL,   -- '<customer_key>/<service>/<billing_period>'
                                          -- (invoice_lines.invoice_key)
    customer_key      VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    service           VARCHAR NOT NULL,   -- catalog_services.service
    currency          VARCHAR NOT NULL,   -- ISO code of the amounts (the plan's currency)
    line_number       INTEGER NOT NULL,   -- 1-based within the re-rated invoice
    product_code      VARCHAR NOT NULL,   -- Odoo product default_code
    description       VARCHAR NOT NULL,   -- the line's text as a rating writes it
    quantity          DECIMAL(38, 9) NOT NULL,  -- usage in the metric's unit (0 on a true-up)
    billable_units    DECIMAL(38, 9) NOT NULL,  -- quantity less the included units
    amount            DECIMAL(38, 2) NOT NULL,  -- the re-rated amount in cents, before taxes
    amount_unrounded  DECIMAL(38, 18) NOT NULL, -- the exact amount before rounding to cents
    subscription_id   VARCHAR NOT NULL,   -- rated_charges.subscription_id
    charge_id         VARCHAR NOT NULL,   -- rated_charges.charge_id
    group_value       VARCHAR,            -- the group_by dimension's value; NULL: no group
    line_kind         VARCHAR NOT NULL,   -- 'usage' | 'minimum_true_up'
    billing_month     DATE                -- billing_period as a DATE (its first day)
)
