-- The posting ledger: one row per invoice key, every step recorded. Odoo stays the truth for
-- whether an invoice exists (its `ref` is searched before any create); this table says what
-- we did, when, and why an invoice was held.
-- state: pending (create about to be sent), draft (in Odoo, not posted), posted,
--        amount_mismatch (Odoo's untaxed total differs from ours: left in draft),
--        changed_after_posting (posted, and our content changed since: never edited),
--        duplicate_in_odoo (several invoices carry the key), cancelled_in_odoo,
--        deleted_in_odoo (we posted it, it is gone), reset_to_draft_in_odoo (we posted it,
--        accounting set it back to draft: left to them), rejected (Odoo refused it),
--        not_postable (a line cannot be posted exactly at Odoo's precision),
--        create_unconfirmed (a create's answer was lost: created again, searching first,
--        once Odoo has settled), unreachable (Odoo did not answer; the next run resumes it),
--        original_not_posted (an adjustment whose original invoice is not posted yet),
--        wrong_type_in_odoo (the key's move in Odoo is of another type: left to a person),
--        link_mismatch (a draft credit note reverses another move than its original: left in
--        draft), settled_by_adjustment (posted, its difference billed by an adjustment),
--        original_changed_in_odoo (an adjustment whose original a person changed in Odoo:
--        held until the original is settled).
--        The values of rating.odoo.plan.PostingState.
-- Adjustments (period_adjustments: supplementary invoices, credit notes) have a row each under
-- their adjustment_key, with the billing_period of the invoice they correct.
CREATE TABLE IF NOT EXISTS odoo_postings (
    invoice_key       VARCHAR PRIMARY KEY,  -- invoice_lines.invoice_key, and the Odoo
                                          -- invoice's x_fc_billing_key
    billing_period    VARCHAR NOT NULL,   -- YYYY-MM in the billing time zone
    customer_key      VARCHAR NOT NULL,   -- the customer (customers.customer_key; the
                                          -- partner's ref in Odoo)
    service           VARCHAR NOT NULL,   -- catalog_services.service
    content_hash      VARCHAR NOT NULL,   -- sha256 of the payload (odoo_outbox.payload)
    amount_untaxed    DECIMAL(38, 2) NOT NULL,  -- our untaxed total, in the invoice's currency
    odoo_move_id      BIGINT,             -- Odoo's account.move id; NULL: not created yet
    odoo_number       VARCHAR,            -- Odoo's number (INV/2026/00047); NULL until posted
    state             VARCHAR NOT NULL,   -- one of the states in the table's comment
    attempts          INTEGER NOT NULL,   -- create, write and post calls sent for this key
    last_error        VARCHAR,            -- Odoo's or our last error; NULL: none
    first_attempt_at  TIMESTAMP NOT NULL, -- UTC (wall clock)
    updated_at        TIMESTAMP NOT NULL, -- the last step recorded, UTC (wall clock)
    posted_at         TIMESTAMP,          -- when Odoo posted it, UTC; NULL: not posted
    document_kind     VARCHAR,            -- supplementary_invoice or credit_note
                                          -- (period_adjustments.document_kind); NULL: an invoice
    original_move_id  BIGINT              -- an adjustment's original invoice in Odoo (a credit
                                          -- note's reversed_entry_id); NULL: an invoice
)
