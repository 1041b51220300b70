-- Dual run: our amount and the legacy one per customer, service, period and charge (charge ''
-- where the legacy billed the invoice as a whole: our side is then the invoice total).
-- class: match (|difference| <= tolerance), amount_differs, currency_differs, only_in_legacy,
-- only_in_ours. Rewritten per period.
CREATE TABLE IF NOT EXISTS reconciliation_legacy (
    billing_period     VARCHAR NOT NULL,
    service            VARCHAR NOT NULL,
    customer_key       VARCHAR NOT NULL,
    charge             VARCHAR NOT NULL,
    sources            VARCHAR,            -- legacy sources, comma-separated
    our_amount         DECIMAL(38, 2),
    legacy_amount      DECIMAL(38, 2),
    difference         DECIMAL(38, 2),     -- legacy minus ours (a missing side counts 0)
    our_currency       VARCHAR,
    legacy_currency    VARCHAR,
    class              VARCHAR NOT NULL,
    tolerance          DECIMAL(38, 2) NOT NULL,
    legacy_invoice_ids VARCHAR
)
