-- A service's invoices, supplementary invoices and credit notes as Odoo holds them, for the
-- billing API (rating.api.invoices): one page, newest first, and how many match.
-- Shown: what the customer was billed, i.e. every document Odoo numbered (posted at least
-- once: finalized, or since cancelled in Odoo: voided, or set back to draft by accounting:
-- draft), with Odoo's untaxed amount, taxes and total as read back after posting
-- (reconciliation_odoo). Not shown: what is rated but not yet posted (current_usage answers for
-- the open month), Odoo drafts never posted, a key with several moves in Odoo.
-- $account_id NULL: every customer of the service; else the documents of the customer the
-- account was linked to when their period was rated (rated_account_links; today's link for a
-- period rated before those snapshots). $lago_id: uuid3(NAMESPACE_URL, key), computed here as
-- Python's uuid.uuid3 does. $status NULL: any.
WITH documents AS (
    SELECT p.invoice_key, p.billing_period, p.customer_key, p.service,
           coalesce(p.document_kind, 'invoice') AS document_kind, p.odoo_move_id,
           coalesce(r.odoo_number, p.odoo_number) AS number,
           CASE r.odoo_state WHEN 'posted' THEN 'finalized' WHEN 'cancel' THEN 'voided'
                ELSE 'draft' END AS status,
           coalesce(a.issue_date,
                    last_day(CAST(p.billing_period || '-01' AS DATE))) AS issuing_date,
           r.odoo_untaxed, r.odoo_tax, r.odoo_total,
           p.first_attempt_at AS created_at, p.updated_at,
           a.revision, a.reason, a.reason_text, a.currency AS adjustment_currency,
           coalesce(g.invoice_key, a.invoice_key) AS adjusted_key, g.odoo_number AS adjusted_number,
           md5(from_hex('6ba7b8119dad11d180b400c04fd430c8') || encode(p.invoice_key)) AS digest
    FROM odoo_postings p
    JOIN reconciliation_odoo r
      ON r.invoice_key = p.invoice_key AND r.odoo_move_id = p.odoo_move_id
    LEFT JOIN period_adjustments a ON a.adjustment_key = p.invoice_key
    LEFT JOIN (SELECT odoo_move_id, min(invoice_key) AS invoice_key,
                      min(odoo_number) AS odoo_number
               FROM odoo_postings WHERE odoo_move_id IS NOT NULL
               GROUP BY odoo_move_id) g ON g.odoo_move_id = p.original_move_id
    WHERE p.service = $service
      AND p.state <> 'duplicate_in_odoo'
      AND r.odoo_state IN ('posted', 'cancel', 'draft')
      AND r.odoo_untaxed IS NOT NULL
      AND coalesce(r.odoo_number, p.odoo_number) IS NOT NULL
),
matching AS (
    SELECT d.* FROM documents d
    WHERE ($status IS NULL OR d.status = $status)
      AND ($lago_id IS NULL
           OR CAST(substr(d.digest, 1, 12) || '3' || substr(d.digest, 14, 3)
                   || substr('89ab', ('0x' || substr(d.digest, 17, 1))::INTEGER % 4 + 1, 1)
                   || substr(d.digest, 18) AS UUID) = CAST($lago_id AS UUID))
      AND ($account_id IS NULL
           OR EXISTS (SELECT 1 FROM rated_account_links k
                      WHERE k.service = d.service AND k.account_id = $account_id
                        AND k.billing_period = d.billing_period
                        AND k.customer_key = d.customer_key)
           OR (NOT EXISTS (SELECT 1 FROM rated_account_links k
                           WHERE k.service = d.service AND k.billing_period = d.billing_period)
               AND EXISTS (SELECT 1 FROM validated_accounts v
                           WHERE v.service = d.service AND v.account_id = $account_id
                             AND v.customer_key = d.customer_key)))
),
paged AS (
    SELECT * FROM matching
    ORDER BY issuing_date DESC, invoice_key DESC
    LIMIT $per_page OFFSET $offset
)
SELECT t.total_count,        -- documents matching, on every page
       g.invoice_key,        -- odoo_postings.invoice_key; NULL: the page is empty
       g.billing_period, g.customer_key, g.document_kind, g.odoo_move_id, g.number, g.status,
       g.issuing_date,
       -- The invoice's currency: its lines', an adjustment's, or for an invoice that carries
       -- only adjustments of earlier periods (delivery next_period), theirs.
       coalesce(g.adjustment_currency,
                (SELECT any_value(l.currency) FROM invoice_lines l
                 WHERE l.invoice_key = g.invoice_key),
                (SELECT any_value(c.currency) FROM period_adjustments c
                 WHERE c.delivery = 'next_period'
                   AND c.customer_key || '/' || c.service || '/' || c.target_period
                       = g.invoice_key)) AS currency,
       -- Integer cents, exact: Odoo's amounts are DECIMAL(38, 2).
       CAST(g.odoo_untaxed * 100 AS BIGINT) AS fees_amount_cents,
       CAST(g.odoo_tax * 100 AS BIGINT) AS taxes_amount_cents,
       CAST(g.odoo_total * 100 AS BIGINT) AS total_amount_cents,
       g.created_at, g.updated_at, g.revision, g.reason, g.reason_text, g.adjusted_key,
       g.adjusted_number
FROM (SELECT count(*) AS total_count FROM matching) t
LEFT JOIN paged g ON true
ORDER BY g.issuing_date DESC, g.invoice_key DESC
