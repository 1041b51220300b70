CREATE OR REPLACE TABLE catalog_charges AS SELECT * FROM cat_charges ORDER BY charge_id
