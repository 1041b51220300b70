-- What goes on the customer's invoice: one invoice per customer, service and period
-- (invoice_key), one line per rated charge with usage or an amount.
CREATE TABLE IF NOT EXISTS invoice_lines (
    invoice_key       VARCHAR NOT NULL,   -- '<customer_key>/<service>/<billing_period>'
                                          -- (odoo_postings.invoice_key)
    billing_period    VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    customer_key      VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    service           VARCHAR NOT NULL,   -- catalog_services.service
    currency          VARCHAR NOT NULL,   -- ISO code of the amounts (the plan's currency)
    line_number       INTEGER NOT NULL,   -- 1-based within the invoice
    product_code      VARCHAR NOT NULL,   -- Odoo product default_code
    description       VARCHAR NOT NULL,   -- the line's text on the invoice
    quantity          DECIMAL(38, 9) NOT NULL,  -- usage in the metric's unit (0 on a true-up)
    billable_units    DECIMAL(38, 9) NOT NULL,  -- quantity less the included units
    amount            DECIMAL(38, 2) NOT NULL,  -- what is invoiced, in cents of the currency,
                                                -- before taxes (sum these for revenue)
    amount_unrounded  DECIMAL(38, 18) NOT NULL, -- the exact amount before rounding to cents
    subscription_id   VARCHAR NOT NULL,   -- rated_charges.subscription_id
    charge_id         VARCHAR NOT NULL,   -- rated_charges.charge_id
    group_value       VARCHAR,            -- the group_by dimension's value; NULL: no group
    line_kind         VARCHAR NOT NULL,   -- 'usage' | 'minimum_true_up'
    billing_month     DATE                -- billing_period as a DATE (its first day), for
                                          -- BI tools' date axes
)
