CREATE OR REPLACE TABLE catalog_plans AS SELECT * FROM cat_plans ORDER BY plan_code
