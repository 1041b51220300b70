-- Provider cost rows of one period held for want of an FX rate (finance_quarantine, reason
-- missing_fx_rate), per service and currency: they are in no cost, so margins are overstated.
-- The record is the landed row's fields joined by commas, blank ones left out: date, provider
-- and service first, cost and currency last (a held row has all five). `cost` is the sum in
-- the landed currency, NULL when a record cannot be read back (then only `cost_rows` counts).
-- A comma inside the provider's name would shift the service read here; the row still counts.
WITH held AS (
    SELECT string_split(record, ',') AS fields
    FROM finance_quarantine
    WHERE kind = 'provider_costs' AND reason = 'missing_fx_rate'
), parsed AS (
    SELECT TRY_CAST(trim(fields[1]) AS DATE) AS cost_date,
           trim(fields[3]) AS service,
           TRY_CAST(trim(fields[-2]) AS DECIMAL(38, 9)) AS cost,
           upper(trim(fields[-1])) AS currency
    FROM held
)
SELECT service, currency, count(*) AS cost_rows,
       CASE WHEN count(cost) = count(*) THEN sum(cost) END AS cost
FROM parsed
WHERE strftime(cost_date, '%Y-%m') = $billing_period
GROUP BY service, currency
ORDER BY service, currency
