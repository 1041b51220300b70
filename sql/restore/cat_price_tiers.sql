CREATE OR REPLACE TEMP TABLE cat_price_tiers AS SELECT * FROM catalog_price_tiers
