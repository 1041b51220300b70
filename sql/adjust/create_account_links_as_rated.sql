-- The account links the period was last rated with while open, ambiguous ones included (as
-- rate/create_account_links.sql builds them).
CREATE OR REPLACE TEMP TABLE account_links AS
SELECT service, account_id, customer_key, ambiguous
FROM rated_account_links
WHERE billing_period = $billing_period
