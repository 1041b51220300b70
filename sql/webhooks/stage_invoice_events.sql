-- The period's documents read back posted in Odoo (odoo_readback) with the number Odoo gave,
-- that the ledger holds posted by us (PostingState.posted_by_us: posted, changed_after_posting,
-- settled_by_adjustment) and that have no event yet for that move (a key posted anew under
-- another move after Odoo lost the first is told again, with its new number): invoice.posted for an invoice,
-- invoice.adjusted for a supplementary invoice or a credit note (its amounts positive as Odoo
-- shows them, `direction` credit: it reduces what is owed). Amounts, currency and dates are
-- Odoo's; account_ids are the app's accounts linked to the customer for the service and period
-- as the period was rated (rated_account_links). Staged for rating.webhooks.events.
CREATE OR REPLACE TEMP TABLE webhook_new_events AS
WITH posted AS (
    SELECT p.invoice_key, p.customer_key, p.service, p.document_kind, p.original_move_id,
           b.odoo_move_id, b.odoo_number, b.odoo_currency, b.odoo_invoice_date,
           b.odoo_due_date, CAST(b.odoo_untaxed * 100 AS BIGINT) AS untaxed_cents,
           CAST(b.odoo_tax * 100 AS BIGINT) AS tax_cents,
           CAST(b.odoo_total * 100 AS BIGINT) AS total_cents,
           CASE WHEN p.document_kind IS NULL THEN 'invoice.posted'
                ELSE 'invoice.adjusted' END AS event_type
    FROM odoo_readback b
    JOIN odoo_postings p ON p.invoice_key = b.invoice_key AND p.odoo_move_id = b.odoo_move_id
    WHERE p.billing_period = $billing_period
      AND p.state IN ('posted', 'changed_after_posting', 'settled_by_adjustment')
      AND b.odoo_state = 'posted' AND b.odoo_number IS NOT NULL
),
new AS (
    SELECT * FROM posted n
    WHERE NOT EXISTS (SELECT 1 FROM webhook_events e
                      WHERE e.event_key = n.event_type || ':' || n.invoice_key || ':'
                                          || n.odoo_move_id)
),
accounts AS (
    SELECT customer_key, service, list(account_id ORDER BY account_id) AS account_ids
    FROM rated_account_links
    WHERE billing_period = $billing_period AND NOT ambiguous AND customer_key IS NOT NULL
    GROUP BY customer_key, service
),
originals AS (
    -- Each Odoo move once: the key we posted it under, and its number.
    SELECT odoo_move_id, min(invoice_key) AS invoice_key, min(odoo_number) AS odoo_number
    FROM odoo_postings
    WHERE odoo_move_id IN (SELECT original_move_id FROM new)
    GROUP BY odoo_move_id
)
SELECT n.event_type || ':' || n.invoice_key || ':' || n.odoo_move_id AS event_key,
       n.event_type, n.service,
       n.invoice_key AS ordering_key,
       CASE WHEN n.document_kind IS NULL THEN json_object(
           'invoice_key', n.invoice_key, 'odoo_move_id', n.odoo_move_id,
           'number', n.odoo_number, 'customer_key', n.customer_key,
           'account_ids', coalesce(a.account_ids, []::VARCHAR[]), 'service', n.service,
           'billing_period', $billing_period, 'currency', n.odoo_currency,
           'untaxed_amount_cents', n.untaxed_cents, 'tax_amount_cents', n.tax_cents,
           'total_amount_cents', n.total_cents,
           'invoice_date', CAST(n.odoo_invoice_date AS VARCHAR),
           'due_date', CAST(n.odoo_due_date AS VARCHAR))
       ELSE json_object(
           'invoice_key', n.invoice_key, 'odoo_move_id', n.odoo_move_id,
           'number', n.odoo_number, 'kind', n.document_kind,
           'direction', CASE n.document_kind WHEN 'credit_note' THEN 'credit' ELSE 'debit' END,
           'original_invoice_key', o.invoice_key, 'original_number', o.odoo_number,
           'original_odoo_move_id', n.original_move_id, 'customer_key', n.customer_key,
           'account_ids', coalesce(a.account_ids, []::VARCHAR[]), 'service', n.service,
           'billing_period', $billing_period, 'currency', n.odoo_currency,
           'untaxed_amount_cents', n.untaxed_cents, 'tax_amount_cents', n.tax_cents,
           'total_amount_cents', n.total_cents,
           'invoice_date', CAST(n.odoo_invoice_date AS VARCHAR),
           'due_date', CAST(n.odoo_due_date AS VARCHAR))
       END AS data
FROM new n
LEFT JOIN accounts a ON a.customer_key = n.customer_key AND a.service = n.service
LEFT JOIN originals o ON o.odoo_move_id = n.original_move_id
