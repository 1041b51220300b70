-- The dual run of one period per class: lines, our amount, the legacy amount and the difference
-- (legacy minus ours; a missing side counts 0). Amounts of all currencies are summed as they are.
SELECT class, count(*) AS lines,
       coalesce(sum(our_amount), 0) AS our_amount,
       coalesce(sum(legacy_amount), 0) AS legacy_amount,
       coalesce(sum(difference), 0) AS difference
FROM reconciliation_legacy
WHERE billing_period = $billing_period
GROUP BY class
ORDER BY class
