-- Every usable subscription, kept aside: ref_subscriptions is narrowed to one customer's for
-- each request (api/narrow_ref_subscriptions.sql) and restored from here.
CREATE OR REPLACE TEMP TABLE all_ref_subscriptions AS SELECT * FROM ref_subscriptions
