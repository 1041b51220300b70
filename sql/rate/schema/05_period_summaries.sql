-- One row per period and service: what the rating produced, for a quick look and for the
-- steps after the blocking checks (the Odoo posting).
CREATE TABLE IF NOT EXISTS period_summaries (
    billing_period  VARCHAR NOT NULL,
    service         VARCHAR NOT NULL,
    customers       BIGINT NOT NULL,
    invoices        BIGINT NOT NULL,
    invoice_lines   BIGINT NOT NULL,
    amount          DECIMAL(38, 2) NOT NULL,
    currency        VARCHAR NOT NULL
)
