-- The runs whose re-rate rerated_lines holds for the period (one: the latest).
SELECT DISTINCT run_id FROM rerated_lines WHERE billing_period = $billing_period ORDER BY run_id
