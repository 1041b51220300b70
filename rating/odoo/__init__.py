"""Odoo: the gateway and its transports, the records invoices point to, the payload, setup,
posting once and reading back."""
