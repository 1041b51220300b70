-- What we rated vs what Odoo holds, per invoice key, as read back after posting (rewritten per
-- period). status: match (posted with our untaxed amount), draft (our amount, not posted:
-- expected on an open period only), amount_differs, missing_in_odoo (rated, no invoice in
-- Odoo), cancelled_in_odoo, duplicate_in_odoo, not_rated (in Odoo under our key, no longer
-- rated), dry_run (no Odoo: the payload's total equals ours), not_postable. The blocking check
-- fails on anything but match, dry_run, and draft on an open period.
CREATE TABLE IF NOT EXISTS reconciliation_odoo (
    invoice_key      VARCHAR NOT NULL,
    billing_period   VARCHAR NOT NULL,
    customer_key     VARCHAR NOT NULL,
    service          VARCHAR NOT NULL,
    rated_untaxed    DECIMAL(38, 2),
    odoo_move_id     BIGINT,
    odoo_number      VARCHAR,
    odoo_state       VARCHAR,
    odoo_untaxed     DECIMAL(38, 2),
    odoo_tax         DECIMAL(38, 2),
    odoo_total       DECIMAL(38, 2),
    difference       DECIMAL(38, 2),      -- Odoo's (or the payload's) untaxed minus ours
    posting_state    VARCHAR,             -- odoo_postings.state
    status           VARCHAR NOT NULL,
    checked_at       TIMESTAMP NOT NULL
)
