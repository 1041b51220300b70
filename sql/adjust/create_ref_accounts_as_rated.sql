-- The usable account links the period was last rated with while open (rated_account_links):
-- only the columns the rating's statements read (no address: nothing is posted from here).
CREATE OR REPLACE TEMP TABLE ref_accounts AS
SELECT service, account_id, customer_key
FROM rated_account_links
WHERE billing_period = $billing_period AND NOT ambiguous
