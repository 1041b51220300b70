-- Every link of account_links: a late row of an account without a subscription is then held
-- for the same reason as it would have been at the rating (unknown_account, no_subscription).
INSERT INTO rated_account_links (billing_period, service, account_id, customer_key, ambiguous)
SELECT $billing_period, service, account_id, customer_key, ambiguous
FROM account_links
ORDER BY service, account_id, ambiguous
