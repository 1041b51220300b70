-- What the margin report of one period can say: when the period was closed (NULL: still
-- provisional), how many charges were rated and how many margin rows the finance run wrote.
SELECT (SELECT closed_at FROM closed_periods WHERE billing_period = $billing_period)
           AS closed_at,
       (SELECT count(*) FROM rated_charges WHERE billing_period = $billing_period)
           AS rated_charges,
       (SELECT count(*) FROM margin_monthly WHERE billing_period = $billing_period)
           AS margin_rows
