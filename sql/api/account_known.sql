-- Whether the service knows the account (rating.api.invoices): linked today (validated_accounts)
-- or when a period was rated (rated_account_links). An account no rating has seen is 404
-- customer_not_found; a known one without an invoice is an empty list.
SELECT EXISTS (SELECT 1 FROM validated_accounts
               WHERE service = $service AND account_id = $account_id)
    OR EXISTS (SELECT 1 FROM rated_account_links
               WHERE service = $service AND account_id = $account_id) AS known
