-- A settlement revision of an invoice key: revision max + 1, what Odoo billed (old_amount) and
-- what we rated (new_amount), reason 'settlement'; its through_ingestion_id is the key's
-- latest revision's (else the close's), so the next revision's source files are unchanged.
INSERT INTO period_adjustments (adjustment_key, invoice_key, billing_period, customer_key,
    service, currency, revision, document_kind, delivery, target_period, old_amount,
    new_amount, amount_net, amount_document, reason, reason_text, source_files,
    through_ingestion_id, run_id, issued_at, issue_date)
WITH invoice AS (
    -- A key the period had no invoice for at the close has its revisions only.
    SELECT min(customer_key) AS customer_key, min(service) AS service,
           min(currency) AS currency
    FROM (SELECT customer_key, service, currency FROM invoice_lines
          WHERE billing_period = $billing_period AND invoice_key = $invoice_key
          UNION ALL
          SELECT customer_key, service, currency FROM period_adjustments
          WHERE billing_period = $billing_period AND invoice_key = $invoice_key) documents
),
revision AS (
    SELECT coalesce(max(revision), 0) + 1 AS revision,
           coalesce(max(through_ingestion_id),
                    (SELECT through_ingestion_id FROM closed_periods
                     WHERE billing_period = $billing_period)) AS through_ingestion_id
    FROM period_adjustments
    WHERE invoice_key = $invoice_key
)
SELECT $invoice_key || '/r' || r.revision, $invoice_key, $billing_period, i.customer_key,
       i.service, i.currency, r.revision, $document_kind, 'separate', NULL, $old_amount,
       $new_amount, $amount_net, abs($amount_net), 'settlement',
       'Settlement of ' || $period_label || ' as changed in Odoo (' || $numbers || '): '
           || $reason_text || ', revision ' || r.revision || ' of ' || $invoice_key,
       [], r.through_ingestion_id, $run_id, $issued_at, $issue_date
FROM invoice i, revision r
RETURNING adjustment_key, revision
