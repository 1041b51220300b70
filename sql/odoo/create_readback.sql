-- What Odoo holds, read back after posting (the view readback_rows), for reconciliation_odoo
-- and the invoice events (webhooks/stage_invoice_events.sql).
CREATE OR REPLACE TEMP TABLE odoo_readback AS
SELECT invoice_key, odoo_move_id, odoo_number, odoo_state, odoo_untaxed, odoo_tax, odoo_total,
       odoo_reversed_entry_id, odoo_currency, odoo_invoice_date, odoo_due_date
FROM readback_rows
