CREATE OR REPLACE TABLE catalog_price_tiers AS SELECT * FROM cat_price_tiers ORDER BY price_id, tier
