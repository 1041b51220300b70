CREATE OR REPLACE TEMP TABLE usage_outcomes AS SELECT * FROM validated_usage
