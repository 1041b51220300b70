-- The subscriptions the rating statements see for one request: the customer's only.
CREATE OR REPLACE TEMP TABLE ref_subscriptions AS
SELECT * FROM all_ref_subscriptions
WHERE service = $service AND list_contains($accounts, account_id)
