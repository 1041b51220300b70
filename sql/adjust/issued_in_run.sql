-- The revisions a run issued, for its report.
SELECT adjustment_key, invoice_key, revision, document_kind, currency, amount_net,
       amount_document, reason, source_files, delivery, target_period, reason_text
FROM period_adjustments
WHERE run_id = $run_id
ORDER BY adjustment_key
