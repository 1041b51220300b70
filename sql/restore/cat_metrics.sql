CREATE OR REPLACE TEMP TABLE cat_metrics AS SELECT * FROM catalog_metrics
