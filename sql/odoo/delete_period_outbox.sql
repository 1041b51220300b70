DELETE FROM odoo_outbox WHERE billing_period = $billing_period
