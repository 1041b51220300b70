SELECT state, count(*) AS invoices, sum(amount_untaxed) AS amount_untaxed
FROM odoo_postings WHERE billing_period = $billing_period
GROUP BY state ORDER BY state
