-- What the ledger knows of the period's invoices, read once at the start of a posting run.
SELECT invoice_key, content_hash, odoo_move_id, state, attempts, updated_at
FROM odoo_postings
WHERE billing_period = $billing_period
