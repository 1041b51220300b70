-- The dry run (no ODOO_URL): the exact invoice payloads that would be posted, by natural keys
-- (partner ref, product default_code, journal code, currency name; Odoo ids are resolved when
-- posting). Rewritten per period.
CREATE TABLE IF NOT EXISTS odoo_outbox (
    invoice_key     VARCHAR NOT NULL,     -- invoice_lines.invoice_key
    billing_period  VARCHAR NOT NULL,     -- YYYY-MM in the billing time zone
    customer_key    VARCHAR NOT NULL,     -- the customer (customers.customer_key)
    service         VARCHAR NOT NULL,     -- catalog_services.service
    content_hash    VARCHAR NOT NULL,     -- sha256 of the payload (odoo_postings.content_hash)
    amount_untaxed  DECIMAL(38, 2),       -- the payload's untaxed total, in the invoice's
                                          -- currency; NULL when not_postable
    line_count      INTEGER NOT NULL,     -- invoice lines in the payload
    payload         JSON,                 -- the account.move values as sent; NULL when
                                          -- not_postable
    problem         VARCHAR               -- why it could not be posted, if so
)
