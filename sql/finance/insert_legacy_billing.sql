INSERT INTO legacy_billing
SELECT source, service, account_id, customer_key, billing_period, charge, amount, currency,
       legacy_invoice_id, file_path, file_row_number
FROM legacy_checks WHERE reason IS NULL
ORDER BY file_path, file_row_number
