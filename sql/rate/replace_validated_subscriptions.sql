CREATE OR REPLACE TABLE validated_subscriptions AS SELECT * FROM ref_subscriptions ORDER BY ALL
