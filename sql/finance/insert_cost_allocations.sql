-- The period's provider costs spread over customers (docs/margin.md):
-- - direct: a row with an account id goes to that account's customer;
-- - usage_share: a pooled row is shared in proportion to each customer's usage of its metric
--   in the billing period (usage_rollups.quantity, groups summed); each part is rounded to 9
--   decimals and the last customer by key takes the remainder, so the parts add up to the
--   cost exactly;
-- - unallocated: a pooled row whose metric nobody used in the period stays, customer NULL.
INSERT INTO cost_allocations
WITH costs AS (
    SELECT row_number() OVER (ORDER BY file_path, file_row_number) AS cost_id, *
    FROM provider_costs WHERE billing_period = $billing_period
),
usage AS (
    SELECT service, metric, customer_key, sum(quantity) AS quantity
    FROM usage_rollups WHERE billing_period = $billing_period
    GROUP BY ALL HAVING sum(quantity) > 0
),
pooled AS (
    SELECT c.cost_id, c.cost_date, c.provider, c.service, u.customer_key, c.metric,
           CAST(u.quantity / sum(u.quantity) OVER cost AS DECIMAL(38, 18)) AS share,
           c.cost_cad,
           -- The share is a binary fraction (about 16 digits): DECIMAL cost x usage could
           -- overflow. Each part is rounded to 9 decimals; the remainder rule keeps the sum.
           CAST(c.cost_cad * (u.quantity / sum(u.quantity) OVER cost) AS DECIMAL(38, 9))
               AS part,
           row_number() OVER (PARTITION BY c.cost_id ORDER BY u.customer_key DESC) AS last_first
    FROM costs c
    JOIN usage u ON u.service = c.service AND u.metric = c.metric
    WHERE c.account_id IS NULL
    WINDOW cost AS (PARTITION BY c.cost_id)
)
SELECT cost_date, $billing_period, provider, service, customer_key, metric, 'direct',
       1, cost_cad
FROM costs WHERE account_id IS NOT NULL
UNION ALL
SELECT cost_date, $billing_period, provider, service, customer_key, metric, 'usage_share',
       share,
       CASE WHEN last_first = 1
            THEN cost_cad - (sum(part) OVER (PARTITION BY cost_id) - part)
            ELSE part END
FROM pooled
UNION ALL
SELECT c.cost_date, $billing_period, c.provider, c.service, NULL, c.metric, 'unallocated',
       1, c.cost_cad
FROM costs c
WHERE c.account_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.service = c.service AND u.metric = c.metric)
ORDER BY ALL
