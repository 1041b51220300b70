-- A customer of the caller's service: the account links its usage is read for. The external id
-- is the app's own account id, as for GET /customers and the invoices; failing that, a
-- customer_key (our extension: every account of that customer in the service, what its invoice
-- will sum). An account id wins over a customer_key that happens to be spelt the same.
WITH by_account AS (
    SELECT account_id FROM all_ref_accounts WHERE service = $service AND account_id = $external_id
)
SELECT account_id FROM by_account
UNION ALL
SELECT account_id FROM all_ref_accounts
WHERE service = $service AND customer_key = $external_id
  AND NOT EXISTS (SELECT 1 FROM by_account)
ORDER BY account_id
