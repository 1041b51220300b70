-- md5 of the catalog rows a rating of the period depends on: the plans of its subscriptions
-- (ref_subscriptions active in the period), their services and those services' metrics, their
-- charges, and each charge's price in force on the period's first day with its tiers. An edit
-- anywhere else in the catalog (another plan, a later price version) leaves it as it was.
-- Surrogate keys (metric_key) are left out: they move when an unrelated metric is added.
WITH plans AS (
    SELECT DISTINCT plan_code FROM ref_subscriptions
    WHERE start_at < $period_end AND (end_at IS NULL OR end_at > $period_start)
),
charges AS (
    SELECT c.* FROM cat_charges c WHERE c.plan_code IN (SELECT plan_code FROM plans)
),
prices AS (
    SELECT p.* FROM cat_prices p
    WHERE p.charge_id IN (SELECT charge_id FROM charges)
      AND p.effective_from <= $period_first_day
    QUALIFY row_number() OVER (PARTITION BY p.charge_id ORDER BY p.effective_from DESC) = 1
),
services AS (
    SELECT DISTINCT service FROM cat_plans WHERE plan_code IN (SELECT plan_code FROM plans)
),
lines AS (
    SELECT 'plan ' || CAST(p AS VARCHAR) AS line
    FROM cat_plans p WHERE p.plan_code IN (SELECT plan_code FROM plans)
    UNION ALL
    SELECT 'service ' || CAST(s AS VARCHAR)
    FROM cat_services s WHERE s.service IN (SELECT service FROM services)
    UNION ALL
    SELECT 'metric ' || CAST(m AS VARCHAR)
    FROM (SELECT * EXCLUDE (metric_key) FROM cat_metrics) m
    WHERE m.service IN (SELECT service FROM services)
    UNION ALL
    SELECT 'charge ' || CAST(c AS VARCHAR) FROM charges c
    UNION ALL
    SELECT 'price ' || CAST(p AS VARCHAR) FROM prices p
    UNION ALL
    SELECT 'tier ' || CAST(t AS VARCHAR)
    FROM cat_price_tiers t WHERE t.price_id IN (SELECT price_id FROM prices)
)
SELECT md5(coalesce(string_agg(line, chr(10) ORDER BY line), '')) AS fingerprint FROM lines
