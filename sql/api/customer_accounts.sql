-- A customer of the caller's service: its usable account links. The external id is the
-- customer_key the invoices are addressed to; failing that, an account_id of the service (an
-- app that knows only its own account ids).
WITH by_customer AS (
    SELECT account_id FROM all_ref_accounts WHERE service = $service AND customer_key = $external_id
)
SELECT account_id FROM by_customer
UNION ALL
SELECT account_id FROM all_ref_accounts
WHERE service = $service AND account_id = $external_id
  AND NOT EXISTS (SELECT 1 FROM by_customer)
ORDER BY account_id
