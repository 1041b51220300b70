-- The documents the payment poll reads from Odoo (rating.webhooks.payments): posted by us
-- (odoo_postings in a state meaning Odoo holds them posted, with a move and a number, or noted
-- reset to draft by a person, who may post it again) whose payment state can still change:
-- never read, or last read neither paid, reversed nor invoicing_legacy (in_payment becomes
-- paid when the bank statement is matched; blocked is lifted by a person), or last read set
-- back to draft (accounting posts it again). A document Odoo had cancelled or deleted at the
-- last read is left alone. Either is read again once a posting run records the key after that
-- read (reposted, say).
-- Only documents whose invoice.posted / invoice.adjusted event exists for their current move:
-- no payment is told before the apps were told of the invoice it pays (a read-back that
-- failed after Odoo's number was noted; an invoice posted before the webhooks existed, told
-- once a posting run of its period reads it back).
-- The cost follows the documents still open, not the history: paid ones are never read again.
SELECT p.invoice_key, p.odoo_move_id
FROM odoo_postings p
LEFT JOIN odoo_payment_states s ON s.invoice_key = p.invoice_key
WHERE p.state IN ('posted', 'changed_after_posting', 'settled_by_adjustment',
                  'reset_to_draft_in_odoo')
  AND p.odoo_move_id IS NOT NULL
  AND p.odoo_number IS NOT NULL
  AND EXISTS (SELECT 1 FROM webhook_events e
              WHERE e.event_key = CASE WHEN p.document_kind IS NULL THEN 'invoice.posted'
                                       ELSE 'invoice.adjusted' END
                                  || ':' || p.invoice_key || ':' || p.odoo_move_id)
  AND (s.invoice_key IS NULL
       OR s.odoo_move_id <> p.odoo_move_id
       OR p.updated_at > s.checked_at
       OR s.odoo_state = 'draft'
       OR (coalesce(s.odoo_state, 'posted') = 'posted'
           AND s.payment_state NOT IN ('paid', 'reversed', 'invoicing_legacy')))
ORDER BY p.odoo_move_id
