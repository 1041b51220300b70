SELECT charge_id, count(*) AS lines FROM rated_charges
WHERE billing_period = $billing_period AND amount_unrounded IS NULL
GROUP BY charge_id ORDER BY charge_id
