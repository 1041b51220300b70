INSERT INTO catalog_price_tiers BY NAME SELECT * FROM cat_price_tiers ORDER BY price_id, tier
