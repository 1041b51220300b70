INSERT INTO catalog_metrics BY NAME SELECT * FROM cat_metrics ORDER BY service, metric
