-- Odoo's payment_state of each posted document (invoice, supplementary invoice, credit note),
-- as last read: the payment poll reads again only those not paid or reversed, and writes an
-- invoice.payment_status_updated event in the same transaction as each change it records.
CREATE TABLE IF NOT EXISTS odoo_payment_states (
    invoice_key      VARCHAR PRIMARY KEY,  -- odoo_postings.invoice_key
    odoo_move_id     BIGINT NOT NULL,      -- Odoo's account.move id
    payment_state    VARCHAR NOT NULL,     -- Odoo's payment_state: not_paid, in_payment, paid,
                                           -- partial, reversed, blocked, invoicing_legacy
    amount_residual  DECIMAL(38, 2),       -- what remains to pay, in the invoice's currency
    changes          INTEGER NOT NULL,     -- payment states recorded after the first read
    checked_at       TIMESTAMP NOT NULL,   -- the last read, UTC (wall clock)
    changed_at       TIMESTAMP NOT NULL,   -- when payment_state was last read different, UTC
    odoo_state       VARCHAR               -- the move's state at the last read: posted, draft,
                                           -- cancel, or deleted (Odoo no longer has it); a
                                           -- payment_state is recorded only as read posted
)
