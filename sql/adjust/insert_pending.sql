-- Every differing line of a key that waits, with the key's why: nothing is dropped.
INSERT INTO pending_adjustments (billing_period, invoice_key, subscription_id, charge_id,
    group_value, line_kind, currency, old_quantity, new_quantity, old_amount, new_amount,
    amount_delta, why, detail, source_files, run_id)
SELECT $billing_period, l.invoice_key, l.subscription_id, l.charge_id, l.group_value,
       l.line_kind, l.currency, l.old_quantity, l.new_quantity, l.old_amount, l.new_amount,
       l.amount_delta, d.why, d.detail, coalesce(s.source_files, []), $run_id
FROM adjust_lines l
JOIN adjust_decisions d ON d.invoice_key = l.invoice_key AND d.why IS NOT NULL
LEFT JOIN adjust_sources s ON s.invoice_key = l.invoice_key
WHERE l.differs
ORDER BY l.invoice_key, l.product_code, l.group_value NULLS FIRST, l.line_kind DESC,
         l.subscription_id, l.charge_id
