CREATE OR REPLACE TEMP TABLE cat_services AS SELECT * FROM catalog_services
