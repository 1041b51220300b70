-- The invoices the re-rate left out of rerated_lines for a charge without a price in force
-- (TEMP rerated_unpriced, adjust/create_rerated_unpriced.sql): their differences wait.
SELECT DISTINCT invoice_key FROM rerated_unpriced ORDER BY invoice_key
