-- An empty odoo_payment_states for an analysts' copy published before the payment poll existed
-- (its documents then answer payment_status pending), in the reader's temporary schema: the
-- copy is opened read-only.
CREATE TEMP TABLE IF NOT EXISTS odoo_payment_states (
    invoice_key      VARCHAR,        -- odoo_postings.invoice_key
    odoo_move_id     BIGINT,         -- Odoo's account.move id
    payment_state    VARCHAR,        -- Odoo's payment_state as last read (none here)
    amount_residual  DECIMAL(38, 2)  -- what remains to pay (none here)
)
