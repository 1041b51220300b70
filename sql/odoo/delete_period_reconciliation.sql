DELETE FROM reconciliation_odoo WHERE billing_period = $billing_period
