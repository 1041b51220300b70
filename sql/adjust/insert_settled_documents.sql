-- The settled documents (the view settled: document_key, odoo_move_id, odoo_number,
-- odoo_untaxed) of one settlement.
INSERT INTO settled_documents (document_key, invoice_key, billing_period, odoo_move_id,
    odoo_number, odoo_untaxed, adjustment_key, reason_text, settled_at)
SELECT document_key, $invoice_key, $billing_period, odoo_move_id, odoo_number, odoo_untaxed,
       $adjustment_key, $reason_text, $settled_at
FROM settled
ORDER BY document_key
