-- Each invoice line with what its rated charge says of it (metric, account, model, tiers,
-- the price version).
CREATE OR REPLACE VIEW invoice_line_charges AS
SELECT l.invoice_key,            -- '<customer_key>/<service>/<billing_period>'
       l.billing_period,         -- YYYY-MM in the billing time zone
       l.customer_key,           -- the customer (customers.customer_key)
       l.service,                -- catalog_services.service
       l.currency,               -- ISO code of the amounts
       l.line_number,            -- 1-based within the invoice
       l.product_code,           -- Odoo product default_code
       l.description,            -- the line's text on the invoice
       l.quantity,               -- usage in the metric's unit (0 on a true-up)
       l.billable_units,         -- quantity less the included units
       l.amount,                 -- what is invoiced, in cents of the currency, before taxes
       l.amount_unrounded,       -- the exact amount before rounding to cents (18 decimals)
       l.subscription_id,        -- validated_subscriptions.subscription_id
       l.charge_id,              -- catalog_charges.charge_id
       l.group_value,            -- the group_by dimension's value; NULL: no group
       l.line_kind,              -- 'usage' | 'minimum_true_up'
       l.billing_month,          -- billing_period as a DATE (its first day)
       r.metric,                 -- catalog_metrics.metric
       r.account_id,             -- the app's account id (validated_accounts)
       r.model,                  -- the charge model of the price used
       r.breakdown,              -- the tiers priced (rated_charges.breakdown)
       r.price_effective_from    -- the price version used (catalog_prices.effective_from)
FROM invoice_lines l
JOIN rated_charges r
  ON r.billing_period = l.billing_period AND r.subscription_id = l.subscription_id
 AND r.charge_id = l.charge_id AND r.line_kind = l.line_kind
 AND r.group_value IS NOT DISTINCT FROM l.group_value
