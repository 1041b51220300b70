-- One row per adjustment issued for a closed period's invoice: revision 1, 2... of an invoice
-- key, never changed once written (posted once to Odoo under adjustment_key, or on the next
-- period's invoice: delivery), but for a next_period one that invoice can no longer carry,
-- made separate before Odoo had any of it. The revision's lines are in
-- period_adjustment_lines.
CREATE TABLE IF NOT EXISTS period_adjustments (
    adjustment_key        VARCHAR PRIMARY KEY, -- '<customer_key>/<service>/<billing_period>/
                                               -- r<revision>' (odoo_postings.invoice_key and
                                               -- the Odoo document's x_fc_billing_key)
    invoice_key           VARCHAR NOT NULL,    -- the original invoice (invoice_lines.invoice_key)
    billing_period        VARCHAR NOT NULL,    -- YYYY-MM, the original (closed) period
    customer_key          VARCHAR NOT NULL,    -- the customer (customers.customer_key)
    service               VARCHAR NOT NULL,    -- catalog_services.service
    currency              VARCHAR NOT NULL,    -- ISO code of the amounts
    revision              INTEGER NOT NULL,    -- 1, 2... per invoice_key
    document_kind         VARCHAR NOT NULL,    -- 'supplementary_invoice' (the net went up) |
                                               -- 'credit_note' (down: an out_refund linked to
                                               -- the original)
    delivery              VARCHAR NOT NULL,    -- 'separate' (its own document) | 'next_period'
                                               -- (lines on the next open period's invoice)
    target_period         VARCHAR,             -- the invoice's period for next_period; NULL:
                                               -- separate
    old_amount            DECIMAL(38, 2) NOT NULL, -- the invoice as invoiced before: original
                                                   -- plus earlier revisions, in cents
    new_amount            DECIMAL(38, 2) NOT NULL, -- the invoice as re-rated, in cents
    amount_net            DECIMAL(38, 2) NOT NULL, -- this revision's lines summed: what changed
                                                   -- (signed; new less old when nothing else
                                                   -- is pending on the key)
    amount_document       DECIMAL(38, 2) NOT NULL, -- the document's untaxed total (|amount_net|,
                                                   -- never negative)
    reason                VARCHAR NOT NULL,    -- 'late_usage' | 'correction' (pushes replaced
                                               -- counters already invoiced) | 'redecided' (a
                                               -- catalog change decided rows again) |
                                               -- 'on_purpose' | 'settlement'
    reason_text           VARCHAR NOT NULL,    -- the reason as the document says it
    source_files          VARCHAR[] NOT NULL,  -- the usage files behind the change
                                               -- (landed_files.file_path), in order
    through_ingestion_id  BIGINT,              -- the latest ingestion it accounts for; the next
                                               -- revision's files come after it
    run_id                VARCHAR NOT NULL,    -- the run that issued it (adjustment_runs.run_id)
    issued_at             TIMESTAMP NOT NULL,  -- UTC (wall clock)
    issue_date            DATE NOT NULL        -- the document's invoice date (frozen, so its
                                               -- content hash is stable)
)
