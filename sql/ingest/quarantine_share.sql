-- Per service, the share of the period's rows (not superseded) quarantined at ingestion or
-- held at rating.
WITH held AS (
    SELECT service, count(*) AS rows_held FROM usage_quarantine
    WHERE billing_period = $billing_period GROUP BY service
),
rated AS (
    SELECT service, sum(counter_rows) AS rows_rated FROM usage_rollups
    WHERE billing_period = $billing_period GROUP BY service
)
SELECT coalesce(h.service, r.service) AS service, coalesce(h.rows_held, 0) AS rows_held,
       coalesce(h.rows_held, 0) + coalesce(r.rows_rated, 0) AS counted,
       round(100.0 * coalesce(h.rows_held, 0)
             / (coalesce(h.rows_held, 0) + coalesce(r.rows_rated, 0)), 2) AS percent
FROM held h
FULL JOIN rated r ON r.service = h.service
ORDER BY service NULLS FIRST
