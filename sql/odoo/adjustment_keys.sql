-- The adjustments issued for a period that are documents of their own (delivery 'separate'),
-- in key order, revisions of an invoice in order (posting goes in batches of these keys).
-- Needs period_adjustments(adjustment_key, invoice_key, billing_period, revision, delivery).
SELECT adjustment_key FROM period_adjustments
WHERE billing_period = $billing_period AND delivery = 'separate'
ORDER BY invoice_key, revision
