-- The account links the rating statements see for one request: the customer's only, so that
-- only its subscriptions are priced (rate/create_period_subscriptions.sql joins them).
CREATE OR REPLACE TEMP TABLE ref_accounts AS
SELECT * FROM all_ref_accounts WHERE service = $service AND list_contains($accounts, account_id)
