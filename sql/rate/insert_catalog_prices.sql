INSERT INTO catalog_prices BY NAME SELECT * FROM cat_prices ORDER BY price_id
