-- What we rated vs what Odoo holds, per invoice key, as read back after posting (rewritten per
-- period). status: match (posted with our untaxed amount), draft (our amount, not posted:
-- expected on an open period only), amount_differs, missing_in_odoo (rated, no invoice in
-- Odoo), cancelled_in_odoo, duplicate_in_odoo, not_rated (in Odoo under our key, no longer
-- rated), dry_run (no Odoo: the payload's total equals ours), not_postable. The blocking check
-- fails on anything but match, dry_run, and draft on an open period.
CREATE TABLE IF NOT EXISTS reconciliation_odoo (
    invoice_key      VARCHAR NOT NULL,    -- invoice_lines.invoice_key
    billing_period   VARCHAR NOT NULL,    -- YYYY-MM in the billing time zone
    customer_key     VARCHAR NOT NULL,    -- the customer (customers.customer_key)
    service          VARCHAR NOT NULL,    -- catalog_services.service
    rated_untaxed    DECIMAL(38, 2),      -- our invoice's total, in its currency; NULL:
                                          -- not_rated
    odoo_move_id     BIGINT,              -- Odoo's account.move id; NULL: none in Odoo
    odoo_number      VARCHAR,             -- Odoo's invoice number; NULL: none (draft, dry run)
    odoo_state       VARCHAR,             -- Odoo's state (draft, posted, cancel); NULL: none
    odoo_untaxed     DECIMAL(38, 2),      -- Odoo's untaxed total; NULL: none in Odoo (a dry run)
    odoo_tax         DECIMAL(38, 2),      -- Odoo's taxes; NULL: none in Odoo (a dry run)
    odoo_total       DECIMAL(38, 2),      -- Odoo's total with taxes; NULL likewise
    difference       DECIMAL(38, 2),      -- Odoo's (or the payload's) untaxed minus ours
    posting_state    VARCHAR,             -- odoo_postings.state; NULL: never posted
    status           VARCHAR NOT NULL,    -- one of the statuses in the table's comment
    checked_at       TIMESTAMP NOT NULL,  -- when read back, UTC (wall clock)
    billing_month    DATE,                -- billing_period as a DATE (its first day), for BI
                                          -- tools' date axes
    document_kind    VARCHAR,             -- supplementary_invoice or credit_note; NULL: an
                                          -- invoice
    original_move_id BIGINT,              -- an adjustment's original invoice in Odoo, as we
                                          -- linked it (odoo_postings.original_move_id)
    odoo_reversed_entry_id BIGINT         -- the move Odoo says a credit note reverses; NULL:
                                          -- none (an invoice, or not in Odoo)
)
