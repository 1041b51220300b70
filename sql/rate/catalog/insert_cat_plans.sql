INSERT INTO cat_plans VALUES ($plan_code, $service, $name, $currency)
