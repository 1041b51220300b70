-- Differences still pending in the closed periods beyond the lookback ($lookback: the latest
-- ones the nightly run adjusts), per period and why: the nightly run re-rates such a period
-- only when touched, so what is pending there (even below the threshold) is never issued
-- until a person runs `adjust --period P`. Reads pending_adjustments and closed_periods only.
WITH beyond AS (
    SELECT billing_period FROM closed_periods
    ORDER BY billing_period DESC
    OFFSET $lookback
)
SELECT p.billing_period, p.why, CAST(count(*) AS BIGINT) AS "lines",
       CAST(sum(p.amount_delta) AS DECIMAL(38, 2)) AS amount
FROM pending_adjustments p
WHERE p.billing_period IN (SELECT billing_period FROM beyond)
GROUP BY p.billing_period, p.why
ORDER BY p.billing_period, p.why
