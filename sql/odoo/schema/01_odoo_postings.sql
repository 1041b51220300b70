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
--        once Odoo has settled), unreachable (Odoo did not answer; the next run resumes it).
--        The values of rating.odoo.plan.PostingState.
CREATE TABLE IF NOT EXISTS odoo_postings (
    invoice_key       VARCHAR PRIMARY KEY,
    billing_period    VARCHAR NOT NULL,
    customer_key      VARCHAR NOT NULL,
    service           VARCHAR NOT NULL,
    content_hash      VARCHAR NOT NULL,   -- sha256 of the payload (odoo_outbox.payload)
    amount_untaxed    DECIMAL(38, 2) NOT NULL,
    odoo_move_id      BIGINT,
    odoo_number       VARCHAR,
    state             VARCHAR NOT NULL,
    attempts          INTEGER NOT NULL,   -- create, write and post calls sent for this key
    last_error        VARCHAR,
    first_attempt_at  TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    posted_at         TIMESTAMP
)
