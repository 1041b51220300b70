-- The held rows of the three kinds, as checked this run, with the fields a report reads typed
-- (NULL where a row lacks one or it does not read as its type): a report never parses
-- `record`, whose commas may be a provider's own.
INSERT INTO finance_quarantine (kind, reason, file_path, file_row_number, record, detail,
                                service, billing_period, amount, currency)
SELECT 'legacy_billing', reason, file_path, file_row_number, record, NULL,
       nullif(service, ''),
       CASE WHEN regexp_full_match(billing_period, '\d{4}-(0[1-9]|1[0-2])') THEN billing_period END,
       landed_amount, nullif(currency, '')
FROM legacy_checks WHERE reason IS NOT NULL
UNION ALL
SELECT 'provider_costs', reason, file_path, file_row_number, record, NULL,
       nullif(service, ''), strftime(cost_date, '%Y-%m'), cost, nullif(currency, '')
FROM cost_checks WHERE reason IS NOT NULL
UNION ALL
SELECT 'fx_rates', reason, file_path, file_row_number, record, NULL,
       NULL, strftime(rate_date, '%Y-%m'), NULL, nullif(currency, '')
FROM fx_checks WHERE reason IS NOT NULL
ORDER BY ALL
