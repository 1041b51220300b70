SELECT status, count(*) AS invoices, sum(rated_untaxed) AS rated, sum(difference) AS difference
FROM reconciliation_odoo WHERE billing_period = $billing_period
GROUP BY status ORDER BY status
