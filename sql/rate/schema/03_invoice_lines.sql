-- What goes on the customer's invoice: one invoice per customer, service and period
-- (invoice_key), one line per rated charge with usage or an amount.
CREATE TABLE IF NOT EXISTS invoice_lines (
    invoice_key       VARCHAR NOT NULL,   -- '<customer_key>/<service>/<billing_period>'
    billing_period    VARCHAR NOT NULL,
    customer_key      VARCHAR NOT NULL,
    service           VARCHAR NOT NULL,
    currency          VARCHAR NOT NULL,
    line_number       INTEGER NOT NULL,   -- 1-based within the invoice
    product_code      VARCHAR NOT NULL,
    description       VARCHAR NOT NULL,
    quantity          DECIMAL(38, 9) NOT NULL,
    billable_units    DECIMAL(38, 9) NOT NULL,
    amount            DECIMAL(38, 2) NOT NULL,
    amount_unrounded  DECIMAL(38, 18) NOT NULL,
    subscription_id   VARCHAR NOT NULL,
    charge_id         VARCHAR NOT NULL,
    group_value       VARCHAR,
    line_kind         VARCHAR NOT NULL
)
