-- The rated lines of the customer's subscriptions as the rating wrote them (rated_charges),
-- with what Lago's current_usage shows of the charge and its metric.
SELECT r.subscription_id, r.charge_id, r.metric, m.name AS metric_name, m.aggregation, m.group_by,
       r.model, r.line_kind, r.group_value, r.currency, r.quantity, r.amount,
       r.amount_unrounded, r.counter_rows, r.description
FROM rated_charges r
JOIN cat_metrics m ON m.service = r.service AND m.metric = r.metric
WHERE r.billing_period = $billing_period AND list_contains($subscriptions, r.subscription_id)
ORDER BY r.subscription_id, r.charge_id, r.line_kind DESC, r.group_value NULLS FIRST
