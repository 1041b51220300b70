-- A batch of reads (payment_reads) of documents read for the first time: the payment state read
-- when the move is posted; not_paid, the baseline, for a move read in draft, cancelled or
-- deleted. A first read posted other than not_paid is a change (its event staged by
-- payment_stage_events).
INSERT INTO odoo_payment_states (invoice_key, odoo_move_id, payment_state, amount_residual,
                                 changes, checked_at, changed_at, odoo_state)
SELECT r.invoice_key, r.odoo_move_id,
       CASE WHEN r.odoo_state = 'posted' THEN r.payment_state ELSE 'not_paid' END,
       r.amount_residual,
       CASE WHEN r.odoo_state = 'posted' AND r.payment_state <> 'not_paid' THEN 1 ELSE 0 END,
       r.read_at, r.read_at, r.odoo_state
FROM payment_reads r
WHERE NOT EXISTS (SELECT 1 FROM odoo_payment_states s WHERE s.invoice_key = r.invoice_key)
ORDER BY r.invoice_key
