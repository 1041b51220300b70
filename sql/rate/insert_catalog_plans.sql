INSERT INTO catalog_plans BY NAME SELECT * FROM cat_plans ORDER BY plan_code
