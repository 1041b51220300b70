-- Odoo's state of the move at the last read: the payment poll stops reading a document Odoo
-- cancelled or deleted (until a posting run records it again), and records a payment state
-- only as read while the move was posted.
ALTER TABLE odoo_payment_states ADD COLUMN IF NOT EXISTS odoo_state VARCHAR
