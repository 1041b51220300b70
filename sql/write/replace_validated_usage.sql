-- The validation stage's classified usage, kept for the rating stage (engine-internal: its
-- keys are valid only with validated_subscriptions and catalog_metrics of the same run; its
-- rows are in no particular order, every reader aggregates or sorts them).
CREATE OR REPLACE TABLE validated_usage AS SELECT * FROM usage_outcomes
