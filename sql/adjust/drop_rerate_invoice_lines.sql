DROP TABLE IF EXISTS rerate.invoice_lines
