-- The documents of an invoice key as the ledger holds them, to settle it: the original (when
-- the period had it at the close) and every revision issued, with its state in odoo_postings
-- (NULL: never posted) and Odoo move. document_kind: NULL for the original; settlement: a
-- settlement revision.
WITH documents AS (
    SELECT DISTINCT invoice_key AS document_key, NULL::VARCHAR AS document_kind, 0 AS revision,
           false AS settlement
    FROM invoice_lines
    WHERE billing_period = $billing_period AND invoice_key = $invoice_key
    UNION ALL
    SELECT adjustment_key, document_kind, revision, reason = 'settlement'
    FROM period_adjustments
    WHERE billing_period = $billing_period AND invoice_key = $invoice_key
)
SELECT d.document_key, d.document_kind, d.revision, d.settlement, p.state, p.odoo_move_id, p.odoo_number
FROM documents d
LEFT JOIN odoo_postings p ON p.invoice_key = d.document_key
ORDER BY d.revision
