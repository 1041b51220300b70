-- Dual run: our amount and the legacy one per customer, service, period and charge (charge ''
-- where the legacy billed the invoice as a whole: our side is then the invoice total).
-- class: match (|difference| <= tolerance), amount_differs, currency_differs, only_in_legacy,
-- only_in_ours. Rewritten per period.
CREATE TABLE IF NOT EXISTS reconciliation_legacy (
    billing_period     VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    service            VARCHAR NOT NULL,   -- catalog_services.service
    customer_key       VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    charge             VARCHAR NOT NULL,   -- our metric code, or '' for the whole invoice
    sources            VARCHAR,            -- legacy sources, comma-separated; NULL:
                                           -- only_in_ours
    our_amount         DECIMAL(38, 2),     -- our invoiced amount (invoice_lines.amount
                                           -- summed), before taxes; NULL: only_in_legacy
    legacy_amount      DECIMAL(38, 2),     -- legacy_billing.amount summed; NULL:
                                           -- only_in_ours
    difference         DECIMAL(38, 2),     -- legacy minus ours (a missing side counts 0)
    our_currency       VARCHAR,            -- ISO code of our_amount; NULL: only_in_legacy
    legacy_currency    VARCHAR,            -- ISO code of legacy_amount; NULL: only_in_ours
    class              VARCHAR NOT NULL,   -- one of the classes in the table's comment
    tolerance          DECIMAL(38, 2) NOT NULL,  -- the largest |difference| that matches
                                                 -- (finance --tolerance)
    legacy_invoice_ids VARCHAR,            -- the legacy invoices, comma-separated; NULL: none
    billing_month      DATE                -- billing_period as a DATE (its first day), for BI
                                           -- tools' date axes
)
