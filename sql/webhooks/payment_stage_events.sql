-- The invoice.payment_status_updated events of one batch of reads (payment_reads: one row per
-- document read, odoo_state 'deleted' when Odoo no longer has the move), staged for
-- rating.webhooks.events.write_events: a move read posted whose payment_state differs from the
-- one recorded, or read for the first time in another state than not_paid (the baseline, which
-- invoice.posted implies). A read older than the one recorded (a concurrent poll got there
-- first) stages nothing. A move other than the one recorded (the key posted anew after Odoo
-- lost the first) starts from the baseline again. The key names the invoice, its move, the
-- change number and the state read: the nth change of a move is one event whichever run reads
-- it, and a warehouse made anew (its count restarted) never reuses an id for other content.
CREATE OR REPLACE TEMP TABLE webhook_new_events AS
SELECT 'invoice.payment_status_updated:' || r.invoice_key || ':' || r.odoo_move_id || ':'
           || (coalesce(s.changes, 0) + 1) || ':' || r.payment_state AS event_key,
       'invoice.payment_status_updated' AS event_type,
       p.service,
       r.invoice_key AS ordering_key,
       json_object(
           'invoice_key', r.invoice_key,
           'odoo_move_id', r.odoo_move_id,
           'number', p.odoo_number,
           'customer_key', p.customer_key,
           'account_ids', (SELECT coalesce(list(l.account_id ORDER BY l.account_id),
                                           []::VARCHAR[])
                           FROM rated_account_links l
                           WHERE l.billing_period = p.billing_period
                             AND l.service = p.service
                             AND l.customer_key = p.customer_key
                             AND NOT l.ambiguous),
           'service', p.service,
           'billing_period', p.billing_period,
           'document_kind', coalesce(p.document_kind, 'invoice'),
           'payment_status', r.payment_state,
           'previous_payment_status', CASE WHEN s.odoo_move_id = r.odoo_move_id
                                           THEN s.payment_state END,
           'amount_residual_cents', CAST(r.amount_residual * 100 AS BIGINT),
           'total_amount_cents', CAST(r.amount_total * 100 AS BIGINT),
           'currency', r.currency) AS data
FROM payment_reads r
JOIN odoo_postings p ON p.invoice_key = r.invoice_key
LEFT JOIN odoo_payment_states s ON s.invoice_key = r.invoice_key
WHERE r.odoo_state = 'posted'
  AND (s.checked_at IS NULL OR s.checked_at <= r.read_at)
  AND (CASE WHEN s.invoice_key IS NULL OR s.odoo_move_id <> r.odoo_move_id
                 THEN r.payment_state <> 'not_paid'
            ELSE r.payment_state <> s.payment_state END)
