-- Every document the billing API shows (rating.api.invoices), read once from each analysts'
-- copy into memory (rating.api.analysts): the copy's DECIMAL(38, 2) amounts are slow to scan
-- per request, and a request then reads only the service's rows in memory.
-- Shown: what the customer was billed, i.e. every document Odoo numbered (posted at least
-- once: finalized, or since cancelled in Odoo: voided, or set back to draft by accounting:
-- draft), with Odoo's untaxed amount, taxes and total as read back after posting
-- (reconciliation_odoo). Not shown: what is rated but not yet posted (current_usage answers for
-- the open month), Odoo drafts never posted, a key with several moves in Odoo.
SELECT p.service,            -- catalog_services.service
       p.invoice_key,        -- odoo_postings.invoice_key (an adjustment's adjustment_key)
       -- lago_id: uuid3(NAMESPACE_URL, invoice_key), as Python's uuid.uuid3 computes it.
       CAST(substr(h.digest, 1, 12) || '3' || substr(h.digest, 14, 3)
            || substr('89ab', ('0x' || substr(h.digest, 17, 1))::INTEGER % 4 + 1, 1)
            || substr(h.digest, 18) AS UUID)::VARCHAR AS lago_id,
       p.billing_period, p.customer_key,
       coalesce(p.document_kind, 'invoice') AS document_kind,
       p.odoo_move_id,
       coalesce(r.odoo_number, p.odoo_number) AS number,
       CASE r.odoo_state WHEN 'posted' THEN 'finalized' WHEN 'cancel' THEN 'voided'
            ELSE 'draft' END AS status,
       -- An adjustment's own date; an invoice is dated the last day of its month.
       coalesce(a.issue_date, last_day(CAST(p.billing_period || '-01' AS DATE))) AS issuing_date,
       -- An adjustment's currency, else its invoice's lines', else (an invoice that carries
       -- only adjustments of earlier periods: delivery next_period) theirs.
       coalesce(a.currency, l.currency, n.currency) AS currency,
       -- Integer cents, exact: Odoo's amounts are DECIMAL(38, 2).
       CAST(r.odoo_untaxed * 100 AS BIGINT) AS fees_amount_cents,
       CAST(r.odoo_tax * 100 AS BIGINT) AS taxes_amount_cents,
       CAST(r.odoo_total * 100 AS BIGINT) AS total_amount_cents,
       p.first_attempt_at AS created_at, p.updated_at,
       a.revision, a.reason, a.reason_text,
       -- The document an adjustment corrects: the move it names in Odoo (a credit note's
       -- reversed move), else its invoice.
       coalesce(o.invoice_key, a.invoice_key) AS adjusted_key,
       o.odoo_number AS adjusted_number,
       -- Odoo's payment_state as the payment poll last read it posted (rating.webhooks.
       -- payments), and what was left to pay then, in cents; NULL: never read.
       s.payment_state,
       CAST(s.amount_residual * 100 AS BIGINT) AS residual_amount_cents
FROM odoo_postings p
JOIN reconciliation_odoo r ON r.invoice_key = p.invoice_key AND r.odoo_move_id = p.odoo_move_id
CROSS JOIN LATERAL (SELECT md5(from_hex('6ba7b8119dad11d180b400c04fd430c8')
                               || encode(p.invoice_key)) AS digest) h
LEFT JOIN period_adjustments a ON a.adjustment_key = p.invoice_key
LEFT JOIN (SELECT invoice_key, any_value(currency) AS currency FROM invoice_lines
           GROUP BY invoice_key) l ON l.invoice_key = p.invoice_key
LEFT JOIN (SELECT customer_key || '/' || service || '/' || target_period AS invoice_key,
                  any_value(currency) AS currency
           FROM period_adjustments WHERE delivery = 'next_period'
           GROUP BY ALL) n ON n.invoice_key = p.invoice_key
LEFT JOIN (SELECT odoo_move_id, min(invoice_key) AS invoice_key, min(odoo_number) AS odoo_number
           FROM odoo_postings WHERE odoo_move_id IS NOT NULL
           GROUP BY odoo_move_id) o ON o.odoo_move_id = p.original_move_id
LEFT JOIN odoo_payment_states s ON s.invoice_key = p.invoice_key
                               AND s.odoo_move_id = p.odoo_move_id
WHERE p.state <> 'duplicate_in_odoo'
  AND r.odoo_state IN ('posted', 'cancel', 'draft')
  AND r.odoo_untaxed IS NOT NULL
  AND coalesce(r.odoo_number, p.odoo_number) IS NOT NULL
ORDER BY p.service, issuing_date DESC, p.invoice_key DESC
