CREATE OR REPLACE TEMP TABLE ref_subscriptions AS SELECT * FROM validated_subscriptions
