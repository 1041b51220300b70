-- Every line of the period as invoiced (the original, revision 0, plus the deltas of every
-- issued revision but settlements', which bring Odoo back to these lines) and as re-rated, by line identity (invoice key, subscription, charge,
-- group, kind); a line missing on one side counts 0 there. Grouping, not joining, matches a
-- NULL group with a NULL group. old_quantity is the last revision's that touched the line,
-- else the original's.
CREATE OR REPLACE TEMP TABLE adjust_lines AS
WITH parts AS (
    SELECT invoice_key, customer_key, service, currency, subscription_id, charge_id,
           group_value, line_kind, product_code, amount AS invoiced,
           quantity AS invoiced_quantity, 0 AS revision, NULL AS rerated,
           NULL AS rerated_quantity
    FROM invoice_lines
    WHERE billing_period = $billing_period
    UNION ALL
    SELECT l.invoice_key, a.customer_key, a.service, a.currency, l.subscription_id,
           l.charge_id, l.group_value, l.line_kind, l.product_code, l.amount_delta,
           l.new_quantity, l.revision, NULL, NULL
    FROM period_adjustment_lines l
    JOIN period_adjustments a ON a.adjustment_key = l.adjustment_key
    WHERE l.billing_period = $billing_period AND l.line_kind <> 'settlement'
    UNION ALL
    SELECT invoice_key, customer_key, service, currency, subscription_id, charge_id,
           group_value, line_kind, product_code, 0.00, NULL, NULL, amount, quantity
    FROM rerated_lines
    WHERE billing_period = $billing_period
),
lines AS (
    SELECT invoice_key, min(customer_key) AS customer_key, min(service) AS service,
           min(currency) AS currency, subscription_id, charge_id, group_value, line_kind,
           coalesce(min(product_code) FILTER (WHERE rerated IS NOT NULL),
                    min(product_code)) AS product_code,
           CAST(sum(invoiced) AS DECIMAL(38, 2)) AS old_amount,
           CAST(coalesce(sum(rerated), 0) AS DECIMAL(38, 2)) AS new_amount,
           CAST(coalesce(arg_max(invoiced_quantity, revision)
                             FILTER (WHERE invoiced_quantity IS NOT NULL), 0)
                AS DECIMAL(38, 9)) AS old_quantity,
           CAST(coalesce(sum(rerated_quantity), 0) AS DECIMAL(38, 9)) AS new_quantity,
           count(rerated) > 0 AS rerated_present
    FROM parts
    GROUP BY invoice_key, subscription_id, charge_id, group_value, line_kind
)
SELECT *, CAST(new_amount - old_amount AS DECIMAL(38, 2)) AS amount_delta,
       new_amount <> old_amount OR new_quantity <> old_quantity AS differs
FROM lines
