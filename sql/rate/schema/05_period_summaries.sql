-- One row per period and service: what the rating produced, for a quick look and for the
-- steps after the blocking checks (the Odoo posting).
CREATE TABLE IF NOT EXISTS period_summaries (
    billing_period  VARCHAR NOT NULL,  -- YYYY-MM in the billing time zone
    service         VARCHAR NOT NULL,  -- catalog_services.service
    customers       BIGINT NOT NULL,   -- distinct customers invoiced
    invoices        BIGINT NOT NULL,   -- distinct invoice keys
    invoice_lines   BIGINT NOT NULL,   -- invoice lines
    amount          DECIMAL(38, 2) NOT NULL,  -- the invoice lines' amounts summed, before taxes
    currency        VARCHAR NOT NULL,  -- ISO code of the amount
    billing_month   DATE               -- billing_period as a DATE (its first day), for BI
                                       -- tools' date axes
)
