CREATE OR REPLACE TABLE catalog_services AS SELECT * FROM cat_services ORDER BY service
