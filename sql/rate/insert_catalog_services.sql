INSERT INTO catalog_services BY NAME SELECT * FROM cat_services ORDER BY service
