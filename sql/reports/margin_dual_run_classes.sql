-- The dual run of one period per class and currencies: lines, our amount (in our currency),
-- the legacy amount (in the legacy's) and the difference (legacy minus ours; a missing side
-- counts 0, in the other side's currency; NULL when the two currencies differ).
WITH lines AS (
    SELECT class, coalesce(our_currency, legacy_currency) AS our_currency,
           coalesce(legacy_currency, our_currency) AS legacy_currency,
           our_amount, legacy_amount, difference
    FROM reconciliation_legacy
    WHERE billing_period = $billing_period
)
SELECT class, our_currency, legacy_currency, count(*) AS lines,
       coalesce(sum(our_amount), 0) AS our_amount,
       coalesce(sum(legacy_amount), 0) AS legacy_amount,
       CASE WHEN our_currency = legacy_currency THEN coalesce(sum(difference), 0) END
           AS difference
FROM lines
GROUP BY class, our_currency, legacy_currency
ORDER BY class, our_currency, legacy_currency
