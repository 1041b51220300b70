-- Provider cost rows of one period held for want of an FX rate (finance_quarantine, reason
-- missing_fx_rate), per service and currency: they are in no cost, so margins are overstated.
-- Read from the held rows' typed columns (a provider's name may hold a comma: the record's
-- text is never split). `cost` is the sum in the landed currency, NULL when an amount is
-- missing (then only `cost_rows` counts).
SELECT service, currency, count(*) AS cost_rows,
       CASE WHEN count(amount) = count(*) THEN sum(amount) END AS cost
FROM finance_quarantine
WHERE kind = 'provider_costs' AND reason = 'missing_fx_rate' AND billing_period = $billing_period
GROUP BY service, currency
ORDER BY service, currency
