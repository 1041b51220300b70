-- A batch of reads (payment_reads) over the documents already recorded, after its events were
-- staged: a move read posted records its payment state (counted as a change when it differs);
-- one read cancelled, in draft or deleted keeps the payment state last read posted and records
-- only its odoo_state. A move other than the one recorded counts a change against the baseline
-- (not_paid), as its events are staged. A read older than the one recorded changes nothing.
UPDATE odoo_payment_states s
SET odoo_move_id = r.odoo_move_id,
    odoo_state = r.odoo_state,
    payment_state = CASE WHEN r.odoo_state = 'posted' THEN r.payment_state
                         ELSE s.payment_state END,
    amount_residual = CASE WHEN r.odoo_state = 'posted' THEN r.amount_residual
                           ELSE s.amount_residual END,
    changes = s.changes + CASE
        WHEN r.odoo_state = 'posted'
             AND r.payment_state <> CASE WHEN s.odoo_move_id = r.odoo_move_id
                                         THEN s.payment_state ELSE 'not_paid' END
        THEN 1 ELSE 0 END,
    changed_at = CASE WHEN r.odoo_state = 'posted' AND r.payment_state <> s.payment_state
                      THEN r.read_at ELSE s.changed_at END,
    checked_at = r.read_at
FROM payment_reads r
WHERE r.invoice_key = s.invoice_key
  AND s.checked_at <= r.read_at
