-- Whether the service knows the account (rating.api.invoices), from the links read into memory
-- (sql/api/account_links.sql: linked today, or when a period was rated). An account no rating
-- has seen is 404 customer_not_found; a known one without an invoice is an empty list.
SELECT EXISTS (SELECT 1 FROM api_links
               WHERE service = $service AND account_id = $account_id) AS known
