-- The adjustments issued for closed periods (issue 13): one row per document, immutable once
-- written. A revision bills the difference between a re-rating of the period and what was
-- invoiced (the original invoice plus the revisions before it): a supplementary invoice when
-- the net is positive, a credit note (linked in Odoo to the original invoice) when negative.
-- Posted once like invoices: adjustment_key is the Odoo move's x_fc_billing_key and the key of
-- odoo_postings.
CREATE TABLE IF NOT EXISTS period_adjustments (
    adjustment_key       VARCHAR PRIMARY KEY,  -- <customer_key>/<service>/<billing_period>/r<revision>
    invoice_key          VARCHAR NOT NULL,   -- the original invoice (invoice_lines.invoice_key)
    billing_period       VARCHAR NOT NULL,   -- YYYY-MM of the original invoice
    customer_key         VARCHAR NOT NULL,   -- the customer (customers.customer_key)
    service              VARCHAR NOT NULL,   -- catalog_services.service
    currency             VARCHAR NOT NULL,   -- the original invoice's currency
    revision             INTEGER NOT NULL,   -- 1, 2, ... per invoice_key
    document_kind        VARCHAR NOT NULL,   -- supplementary_invoice or credit_note
    delivery             VARCHAR NOT NULL,   -- separate (its own document) or next_period
    target_period        VARCHAR,            -- next_period only: the invoice it is added to
    old_amount           DECIMAL(38, 2) NOT NULL,  -- invoiced before this revision (untaxed)
    new_amount           DECIMAL(38, 2) NOT NULL,  -- the re-rated invoice (untaxed)
    amount_net           DECIMAL(38, 2) NOT NULL,  -- new_amount - old_amount (signed)
    amount_document      DECIMAL(38, 2) NOT NULL,  -- the document's untaxed total (>= 0)
    reason               VARCHAR NOT NULL,   -- late_usage, correction, redecided, on_purpose or
                                             -- settlement
    reason_text          VARCHAR,            -- what a person reads about why
    source_files         VARCHAR[],          -- the landed files that caused it
    through_ingestion_id BIGINT,             -- the last ingestion the re-rating saw
    run_id               VARCHAR,            -- adjustment_runs.run_id
    issued_at            TIMESTAMP NOT NULL, -- UTC (wall clock)
    issue_date           DATE NOT NULL       -- the document's invoice date, frozen
)
