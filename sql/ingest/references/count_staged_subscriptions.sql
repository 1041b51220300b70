SELECT count(*) FROM staged_subscriptions
