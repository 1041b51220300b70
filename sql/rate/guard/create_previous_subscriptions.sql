-- The subscriptions the period was rated with before this rating.
CREATE OR REPLACE TEMP TABLE previous_subscriptions AS
SELECT DISTINCT subscription_id, customer_key, service, account_id
FROM rated_charges WHERE billing_period = $billing_period
