SELECT count(*) AS lines, coalesce(sum(amount), 0) AS amount_total
FROM rerated_lines WHERE billing_period = $billing_period
