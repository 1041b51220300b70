-- Every Odoo invoice the ledger knows for the period, to read back.
SELECT invoice_key, odoo_move_id FROM odoo_postings
WHERE billing_period = $billing_period AND odoo_move_id IS NOT NULL
ORDER BY invoice_key
