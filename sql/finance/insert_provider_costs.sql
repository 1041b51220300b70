-- Usable cost rows; billing_period is the cost date's calendar month (costs are daily).
INSERT INTO provider_costs
SELECT cost_date, strftime(cost_date, '%Y-%m'), provider, service, account_id, customer_key,
       metric, cost, currency, fx_rate, cost_cad, file_path, file_row_number
FROM cost_checks WHERE reason IS NULL
ORDER BY file_path, file_row_number
