-- The revisions decided in this run, once: a revision already written for the key (a rerun,
-- a run that raced this one) is never written again. Frozen from here on. A key the period
-- had no invoice for at the close (all of its usage came late) says so: its supplementary
-- invoice stands alone.
INSERT INTO period_adjustments (adjustment_key, invoice_key, billing_period, customer_key,
    service, currency, revision, document_kind, delivery, target_period, old_amount,
    new_amount, amount_net, amount_document, reason, reason_text, source_files,
    through_ingestion_id, run_id, issued_at, issue_date)
WITH totals AS (
    SELECT invoice_key, min(customer_key) AS customer_key, min(service) AS service,
           min(currency) AS currency, sum(old_amount) AS old_amount,
           sum(new_amount) AS new_amount, sum(amount_delta) AS amount_net
    FROM adjust_lines
    GROUP BY invoice_key
),
issued AS (
    SELECT d.invoice_key, d.revision, d.document_kind, t.customer_key, t.service, t.currency,
           t.old_amount, t.new_amount, t.amount_net,
           coalesce(s.reason, $fallback_reason) AS reason,
           coalesce(s.source_files, []) AS source_files,
           EXISTS (SELECT 1 FROM invoice_lines l WHERE l.billing_period = $billing_period
                                                   AND l.invoice_key = d.invoice_key)
               AS has_original
    FROM adjust_decisions d
    JOIN totals t ON t.invoice_key = d.invoice_key
    LEFT JOIN adjust_sources s ON s.invoice_key = d.invoice_key
    WHERE d.document_kind IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM period_adjustments a
                      WHERE a.invoice_key = d.invoice_key AND a.revision = d.revision)
)
SELECT invoice_key || '/r' || revision, invoice_key, $billing_period, customer_key, service,
       currency, revision, document_kind, 'separate', NULL, old_amount, new_amount,
       amount_net, abs(amount_net), reason,
       CASE reason
           WHEN 'correction' THEN 'Corrected usage for ' || $period_label
           WHEN 'redecided' THEN 'Usage for ' || $period_label || ' decided again'
           WHEN 'on_purpose' THEN $period_label || ' re-rated on request'
           WHEN 'late_usage' THEN 'Usage for ' || $period_label || ' received after its '
                                  || CASE WHEN has_original THEN 'invoice' ELSE 'close' END
           ELSE 'Usage for ' || $period_label || ' received after its invoice'
       END
       || CASE WHEN has_original THEN ''
               ELSE ' (no invoice for ' || $period_label || ' at its close)' END
       || ', revision ' || revision || ' of ' || invoice_key,
       source_files, $through_ingestion_id, $run_id, $issued_at, $issue_date
FROM issued
ORDER BY invoice_key
