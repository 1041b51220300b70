CREATE OR REPLACE TABLE catalog_metrics AS SELECT * FROM cat_metrics ORDER BY service, metric
