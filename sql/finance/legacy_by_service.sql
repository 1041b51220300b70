-- The dual run of a period rolled up per service and class.
SELECT service, class, count(*) AS lines, coalesce(sum(our_amount), 0) AS ours,
       coalesce(sum(legacy_amount), 0) AS legacy, sum(difference) AS difference
FROM reconciliation_legacy WHERE billing_period = $billing_period
GROUP BY ALL ORDER BY ALL
