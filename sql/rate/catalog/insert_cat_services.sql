INSERT INTO cat_services VALUES ($service, $name, $currency)
