CREATE OR REPLACE TABLE catalog_prices AS SELECT * FROM cat_prices ORDER BY price_id
