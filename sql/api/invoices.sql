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
WITH links AS (
    -- The (period, customer) pairs whose invoices the account sees: as rated, or for a period
    -- rated before rated_account_links existed, the account's link today.
    SELECT billing_period, customer_key FROM rated_account_links
    WHERE service = $service AND account_id = $account_id AND customer_key IS NOT NULL
    UNION
    SELECT p.billing_period, v.customer_key
    FROM validated_accounts v
    JOIN (SELECT DISTINCT billing_period, customer_key FROM odoo_postings
          WHERE service = $service) p ON p.customer_key = v.customer_key
    WHERE v.service = $service AND v.account_id = $account_id
      AND p.billing_period NOT IN (SELECT billing_period FROM rated_account_links
                                   WHERE service = $service)
),
postings AS (
    SELECT p.*,
           md5(from_hex('6ba7b8119dad11d180b400c04fd430c8') || encode(p.invoice_key)) AS digest
    FROM odoo_postings p
    WHERE p.service = $service
      AND p.state <> 'duplicate_in_odoo'
      AND ($account_id IS NULL
           OR (p.billing_period, p.customer_key) IN (SELECT billing_period, customer_key
                                                     FROM links))
),
matching AS (
    SELECT p.invoice_key, p.billing_period, p.customer_key, p.service,
           coalesce(p.document_kind, 'invoice') AS document_kind, p.odoo_move_id,
           coalesce(r.odoo_number, p.odoo_number) AS number,
           CASE r.odoo_state WHEN 'posted' THEN 'finalized' WHEN 'cancel' THEN 'voided'
                ELSE 'draft' END AS status,
           coalesce(a.issue_date,
                    last_day(CAST(p.billing_period || '-01' AS DATE))) AS issuing_date,
           r.odoo_untaxed, r.odoo_tax, r.odoo_total,
           p.first_attempt_at AS created_at, p.updated_at, p.original_move_id,
           a.revision, a.reason, a.reason_text, a.currency AS adjustment_currency,
           a.invoice_key AS adjusted_invoice_key
    FROM postings p
    JOIN (SELECT * FROM reconciliation_odoo
          WHERE service = $service
            AND ($account_id IS NULL
                 OR customer_key IN (SELECT customer_key FROM links))) r
      ON r.invoice_key = p.invoice_key AND r.odoo_move_id = p.odoo_move_id
    LEFT JOIN period_adjustments a ON a.adjustment_key = p.invoice_key
    WHERE r.odoo_state IN ('posted', 'cancel', 'draft')
      AND r.odoo_untaxed IS NOT NULL
      AND coalesce(r.odoo_number, p.odoo_number) IS NOT NULL
      AND ($status IS NULL
           OR $status = CASE r.odoo_state WHEN 'posted' THEN 'finalized'
                                          WHEN 'cancel' THEN 'voided' ELSE 'draft' END)
      AND ($lago_id IS NULL
           OR CAST(substr(p.digest, 1, 12) || '3' || substr(p.digest, 14, 3)
                   || substr('89ab', ('0x' || substr(p.digest, 17, 1))::INTEGER % 4 + 1, 1)
                   || substr(p.digest, 18) AS UUID) = CAST($lago_id AS UUID))
),
paged AS (
    SELECT * FROM matching
    ORDER BY issuing_date DESC, invoice_key DESC
    LIMIT $per_page OFFSET $offset
),
currencies AS (
    -- An invoice's currency: its lines', or for one that carries only adjustments of earlier
    -- periods (delivery next_period), theirs. Looked up for the page's invoices only.
    SELECT invoice_key, any_value(currency) AS currency
    FROM (SELECT invoice_key, currency FROM invoice_lines
          WHERE invoice_key IN (SELECT invoice_key FROM paged)
          UNION ALL
          SELECT customer_key || '/' || service || '/' || target_period, currency
          FROM period_adjustments
          WHERE delivery = 'next_period' AND service = $service) found
    WHERE invoice_key IN (SELECT invoice_key FROM paged)
    GROUP BY invoice_key
)
SELECT t.total_count,        -- documents matching, on every page
       g.invoice_key,        -- odoo_postings.invoice_key; NULL: the page is empty
       g.billing_period, g.customer_key, g.document_kind, g.odoo_move_id, g.number, g.status,
       g.issuing_date,
       -- An adjustment's currency, else its invoice's.
       coalesce(g.adjustment_currency, c.currency) AS currency,
       -- Integer cents, exact: Odoo's amounts are DECIMAL(38, 2).
       CAST(g.odoo_untaxed * 100 AS BIGINT) AS fees_amount_cents,
       CAST(g.odoo_tax * 100 AS BIGINT) AS taxes_amount_cents,
       CAST(g.odoo_total * 100 AS BIGINT) AS total_amount_cents,
       g.created_at, g.updated_at, g.revision, g.reason, g.reason_text,
       -- The document an adjustment corrects: the move it names in Odoo (a credit note's
       -- reversed move), else its invoice.
       coalesce(o.invoice_key, g.adjusted_invoice_key) AS adjusted_key,
       o.odoo_number AS adjusted_number
FROM (SELECT count(*) AS total_count FROM matching) t
LEFT JOIN paged g ON true
LEFT JOIN currencies c ON c.invoice_key = g.invoice_key
LEFT JOIN (SELECT odoo_move_id, min(invoice_key) AS invoice_key, min(odoo_number) AS odoo_number
           FROM odoo_postings
           WHERE odoo_move_id IN (SELECT original_move_id FROM paged)
           GROUP BY odoo_move_id) o ON o.odoo_move_id = g.original_move_id
ORDER BY g.issuing_date DESC, g.invoice_key DESC
