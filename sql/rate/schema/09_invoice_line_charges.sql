-- Each invoice line with what its rated charge says of it (metric, account, model, tiers,
-- the price version).
CREATE OR REPLACE VIEW invoice_line_charges AS
SELECT l.*, r.metric, r.account_id, r.model, r.breakdown, r.price_effective_from
FROM invoice_lines l
JOIN rated_charges r
  ON r.billing_period = l.billing_period AND r.subscription_id = l.subscription_id
 AND r.charge_id = l.charge_id AND r.line_kind = l.line_kind
 AND r.group_value IS NOT DISTINCT FROM l.group_value
