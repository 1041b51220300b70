-- Price every charge of every subscription active in the period, with or without usage (a
-- graduated first-tier flat fee or a minimum is owed at zero usage, as in Lago).
--
-- Amounts are exact: units (9 decimals) * prices (9 decimals) = 18 decimals; prorated flat fees
-- and minimums are rounded half-up at the 18th decimal. The amount is rounded half-up to cents
-- once, per line (`amount`); `amount_unrounded` keeps the exact figure.
INSERT INTO rated_charges (billing_period, customer_key, service, subscription_id, account_id,
    plan_code, charge_id, metric, group_value, line_kind, model, price_effective_from,
    product_code, currency, quantity, included_units, billable_units, breakdown,
    amount_unrounded, amount, active_us, period_us, counter_rows, source_file_count,
    source_file_ids, description, billing_month)
WITH prices AS (
    SELECT * FROM cat_prices
    WHERE effective_from <= $period_first_day
    QUALIFY row_number() OVER (PARTITION BY charge_id ORDER BY effective_from DESC) = 1
),
lines AS (
    SELECT s.subscription_id, s.customer_key, s.service, s.account_id, s.plan_code,
           s.active_us,
           c.charge_id, c.metric, c.product_code, c.description AS template,
           m.name AS metric_name, m.unit,
           pl.name AS plan_name, pl.currency,
           sv.name AS service_name,
           p.price_id, p.effective_from, p.model, p.minimum_amount, p.package_size,
           p.package_price, p.free_units, p.rate, p.free_amount, p.min_amount, p.max_amount,
           r.group_value,
           coalesce(r.quantity, CAST(0 AS DECIMAL(38, 9))) AS quantity,
           coalesce(r.counter_rows, 0) AS counter_rows,
           coalesce(r.source_file_count, 0) AS source_file_count,
           coalesce(r.source_file_ids, []) AS source_file_ids,
           prorate_units(coalesce(p.included_units, 0), s.active_us, $period_us)
               AS included_units
    FROM period_subscriptions s
    JOIN cat_charges c ON c.plan_code = s.plan_code
    JOIN cat_plans pl ON pl.plan_code = s.plan_code
    JOIN cat_services sv ON sv.service = s.service
    JOIN cat_metrics m ON m.service = s.service AND m.metric = c.metric
    LEFT JOIN prices p ON p.charge_id = c.charge_id
    LEFT JOIN usage_rollups r ON r.billing_period = $billing_period
                             AND r.subscription_id = s.subscription_id AND r.metric = c.metric
),
billable AS (
    SELECT *, greatest(quantity - included_units, 0) AS billable_units FROM lines
),
tier_parts AS (
    SELECT l.subscription_id, l.charge_id, l.group_value, t.tier, t.unit_price,
           prorate_amount(t.flat_fee, l.active_us, $period_us) AS flat_fee,
           CASE WHEN l.model = 'volume' THEN l.billable_units
                ELSE greatest(least(l.billable_units, coalesce(t.upper_bound, l.billable_units))
                              - t.lower_bound, 0)
           END AS units
    FROM billable l
    JOIN cat_price_tiers t ON t.price_id = l.price_id
    WHERE l.model IN ('per_unit', 'graduated', 'volume')
      AND (t.tier = 1 OR l.billable_units > t.lower_bound)
      AND (l.model <> 'volume' OR t.upper_bound IS NULL OR l.billable_units <= t.upper_bound)
),
tiered AS (
    SELECT subscription_id, charge_id, group_value,
           sum(units * unit_price + flat_fee) AS amount,
           -- Sorting the list (structs compare by their first field, the tier) is much
           -- cheaper than an ordered aggregate.
           list_sort(list(struct_pack(tier := tier, units := units, unit_price := unit_price,
                                      flat_fee := flat_fee,
                                      amount := CAST(units * unit_price + flat_fee
                                                     AS DECIMAL(38, 18))))) AS breakdown
    FROM tier_parts
    GROUP BY subscription_id, charge_id, group_value
),
priced AS (
    SELECT b.*,
           CASE
               WHEN b.model = 'package' THEN ceil_div(greatest(b.billable_units - b.free_units, 0),
                                                      b.package_size)
           END AS packages,
           CASE
               WHEN b.model = 'percentage' THEN CAST(
                   greatest(b.billable_units - b.free_amount, 0) * b.rate * 0.01
                   AS DECIMAL(38, 18))
           END AS percentage_base_amount,
           t.amount AS tiered_amount,
           t.breakdown AS tiered_breakdown
    FROM billable b
    LEFT JOIN tiered t ON t.subscription_id = b.subscription_id AND t.charge_id = b.charge_id
                      AND t.group_value IS NOT DISTINCT FROM b.group_value
),
amounts AS (
    SELECT p.*,
           CAST(CASE p.model
               -- Every branch is cast to 18 decimals: DuckDB types a CASE by its first branch.
               WHEN 'package' THEN CAST(p.packages * p.package_price AS DECIMAL(38, 18))
               WHEN 'percentage' THEN CASE
                   WHEN p.percentage_base_amount = 0 THEN CAST(0 AS DECIMAL(38, 18))
                   ELSE CAST(least(
                       greatest(p.percentage_base_amount,
                                coalesce(prorate_amount(p.min_amount, p.active_us, $period_us),
                                         0)),
                       coalesce(prorate_amount(p.max_amount, p.active_us, $period_us),
                                greatest(p.percentage_base_amount,
                                         coalesce(prorate_amount(p.min_amount, p.active_us,
                                                                 $period_us), 0))))
                       AS DECIMAL(38, 18)) END
               ELSE CAST(p.tiered_amount AS DECIMAL(38, 18))
           END AS DECIMAL(38, 18)) AS amount_unrounded,
           CASE p.model
               WHEN 'package' THEN [struct_pack(tier := 1,
                   units := CAST(p.packages AS DECIMAL(38, 9)), unit_price := p.package_price,
                   flat_fee := CAST(0 AS DECIMAL(38, 18)),
                   amount := CAST(p.packages * p.package_price AS DECIMAL(38, 18)))]
               WHEN 'percentage' THEN [struct_pack(tier := 1,
                   units := greatest(p.billable_units - p.free_amount, 0),
                   unit_price := CAST(p.rate * 0.01 AS DECIMAL(38, 9)),
                   flat_fee := CAST(0 AS DECIMAL(38, 18)),
                   amount := p.percentage_base_amount)]
               ELSE p.tiered_breakdown
           END AS breakdown
    FROM priced p
),
usage_lines AS (
    SELECT a.*, 'usage' AS line_kind FROM amounts a
),
-- The true-up is counted in cents, as the invoice shows them (as Lago does): the prorated
-- minimum in cents less the charge's lines in cents, so that lines and true-up add up to the
-- minimum exactly.
true_ups AS (
    SELECT any_value(a) AS a,
           greatest(round(prorate_amount(any_value(a.minimum_amount), any_value(a.active_us),
                                         $period_us), 2)
                    - sum(round(a.amount_unrounded, 2)), 0) AS shortfall
    FROM amounts a
    WHERE a.minimum_amount IS NOT NULL
    GROUP BY a.subscription_id, a.charge_id
),
all_lines AS (
    SELECT u.subscription_id, u.customer_key, u.service, u.account_id, u.plan_code,
           u.charge_id, u.metric, u.group_value, u.line_kind, u.model, u.effective_from,
           u.product_code, u.currency, u.quantity, u.included_units, u.billable_units,
           u.breakdown, u.amount_unrounded, u.active_us, u.counter_rows, u.source_file_count,
           u.source_file_ids,
           replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
               replace(replace(u.template,
               '{metric_name}', u.metric_name), '{metric}', u.metric), '{unit}', u.unit),
               '{period}', $period_label), '{quantity}', format_quantity(u.quantity)),
               '{billable}', format_quantity(u.billable_units)),
               '{included}', format_quantity(u.included_units)),
               '{group}', coalesce(u.group_value, 'unspecified')), '{plan}', u.plan_name),
               '{service_name}', u.service_name), '{service}', u.service), '{kind}', 'usage')
               AS description
    FROM usage_lines u
    UNION ALL
    SELECT (t.a).subscription_id, (t.a).customer_key, (t.a).service, (t.a).account_id,
           (t.a).plan_code, (t.a).charge_id, (t.a).metric, NULL, 'minimum_true_up',
           (t.a).model, (t.a).effective_from, (t.a).product_code, (t.a).currency,
           CAST(0 AS DECIMAL(38, 9)), CAST(0 AS DECIMAL(38, 9)), CAST(0 AS DECIMAL(38, 9)),
           NULL, CAST(t.shortfall AS DECIMAL(38, 18)), (t.a).active_us, 0, 0, [],
           'Minimum charge for ' || (t.a).metric_name || ', ' || $period_label || ': '
               || CAST(CAST(round(prorate_amount((t.a).minimum_amount, (t.a).active_us,
                                                 $period_us), 2) AS DECIMAL(38, 2)) AS VARCHAR)
               || ' ' || (t.a).currency
    FROM true_ups t
    WHERE t.shortfall > 0
)
SELECT $billing_period AS billing_period,
       customer_key, service, subscription_id, account_id, plan_code, charge_id, metric,
       group_value, line_kind, model, effective_from AS price_effective_from, product_code,
       currency, quantity, included_units, billable_units, breakdown, amount_unrounded,
       CAST(round(amount_unrounded, 2) AS DECIMAL(38, 2)) AS amount,
       active_us, CAST($period_us AS BIGINT) AS period_us,
       counter_rows, source_file_count, source_file_ids, description,
       CAST($billing_period || '-01' AS DATE) AS billing_month
FROM all_lines
ORDER BY customer_key, service, subscription_id, charge_id, line_kind,
         group_value NULLS FIRST
