-- Ledger steps for a set of invoice keys (the view ledger_steps, one row per key), in one
-- statement. Attempts add up, the first attempt's time is kept, and a known Odoo id or number
-- is never forgotten by a later step that does not know it (nor an adjustment's original).
INSERT INTO odoo_postings AS p
    (invoice_key, billing_period, customer_key, service, content_hash, amount_untaxed,
     odoo_move_id, odoo_number, state, attempts, last_error, first_attempt_at, updated_at,
     posted_at, document_kind, original_move_id)
SELECT invoice_key, $billing_period, customer_key, service, content_hash, amount_untaxed,
       odoo_move_id, odoo_number, state, attempts, last_error, $now, $now,
       CASE WHEN state = 'posted' THEN $now END, document_kind, original_move_id
FROM ledger_steps
ON CONFLICT (invoice_key) DO UPDATE SET
    content_hash = excluded.content_hash,
    amount_untaxed = excluded.amount_untaxed,
    odoo_move_id = coalesce(excluded.odoo_move_id, p.odoo_move_id),
    odoo_number = coalesce(excluded.odoo_number, p.odoo_number),
    state = excluded.state,
    attempts = p.attempts + excluded.attempts,
    last_error = excluded.last_error,
    updated_at = excluded.updated_at,
    posted_at = coalesce(p.posted_at, excluded.posted_at),
    document_kind = coalesce(excluded.document_kind, p.document_kind),
    original_move_id = coalesce(excluded.original_move_id, p.original_move_id)
