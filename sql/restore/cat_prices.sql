CREATE OR REPLACE TEMP TABLE cat_prices AS SELECT * FROM catalog_prices
