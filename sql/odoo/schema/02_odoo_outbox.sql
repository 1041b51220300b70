-- The dry run (no ODOO_URL): the exact invoice payloads that would be posted, by natural keys
-- (partner ref, product default_code, journal code, currency name; Odoo ids are resolved when
-- posting). Rewritten per period.
CREATE TABLE IF NOT EXISTS odoo_outbox (
    invoice_key     VARCHAR NOT NULL,
    billing_period  VARCHAR NOT NULL,
    customer_key    VARCHAR NOT NULL,
    service         VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,
    amount_untaxed  DECIMAL(38, 2),       -- NULL when not_postable
    line_count      INTEGER NOT NULL,
    payload         JSON,
    problem         VARCHAR               -- why it could not be posted, if so
)
