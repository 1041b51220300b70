-- Per service, over the last $periods closed periods that the dual run compared: the share of
-- customers whose every line matched in every one of them.
INSERT INTO cutover_readiness
WITH recent AS (
    SELECT billing_period FROM closed_periods
    WHERE billing_period IN (SELECT DISTINCT billing_period FROM reconciliation_legacy)
    ORDER BY billing_period DESC
    LIMIT $periods
),
per_customer AS (
    SELECT service, customer_key, bool_and(class = 'match') AS matched
    FROM reconciliation_legacy SEMI JOIN recent USING (billing_period)
    GROUP BY ALL
)
SELECT s.service,
       coalesce((SELECT string_agg(billing_period, ',' ORDER BY billing_period) FROM recent),
                ''),
       count(c.customer_key), count(c.customer_key) FILTER (WHERE c.matched),
       CAST(100.0 * count(c.customer_key) FILTER (WHERE c.matched)
            / nullif(count(c.customer_key), 0) AS DECIMAL(7, 2)),
       $now
FROM catalog_services s
LEFT JOIN per_customer c USING (service)
GROUP BY s.service
ORDER BY s.service
