-- One batch of the payment poll's reads from Odoo (rating.webhooks.payments), from the Arrow
-- table payment_reads_arrow: per document, Odoo's state of the move (posted, draft, cancel;
-- deleted when Odoo no longer has it) and its payment state, residual, total and currency.
CREATE OR REPLACE TEMP TABLE payment_reads AS
SELECT invoice_key, odoo_move_id, odoo_state, payment_state,
       CAST(amount_residual AS DECIMAL(38, 2)) AS amount_residual,
       CAST(amount_total AS DECIMAL(38, 2)) AS amount_total,
       currency, read_at
FROM payment_reads_arrow
