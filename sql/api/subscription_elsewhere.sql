-- Whether another service's files hold the subscription id: the rating keys subscriptions by
-- id alone, so the API never lands a version of an id another service uses.
SELECT count(*) > 0 FROM landed_subscriptions
WHERE subscription_id = $key AND service IS DISTINCT FROM $service
