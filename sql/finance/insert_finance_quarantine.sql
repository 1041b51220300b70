-- The held rows of the three kinds, as checked this run.
INSERT INTO finance_quarantine
SELECT 'legacy_billing', reason, file_path, file_row_number, record, NULL
FROM legacy_checks WHERE reason IS NOT NULL
UNION ALL
SELECT 'provider_costs', reason, file_path, file_row_number, record, NULL
FROM cost_checks WHERE reason IS NOT NULL
UNION ALL
SELECT 'fx_rates', reason, file_path, file_row_number, record, NULL
FROM fx_checks WHERE reason IS NOT NULL
ORDER BY ALL
