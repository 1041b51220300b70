SELECT service, revenue, cost, margin, margin_pct
FROM margin_by_service WHERE billing_period = $billing_period ORDER BY service
