INSERT INTO catalog_charges BY NAME SELECT * FROM cat_charges ORDER BY charge_id
