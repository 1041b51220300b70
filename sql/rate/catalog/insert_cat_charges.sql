INSERT INTO cat_charges VALUES ($charge_id, $plan_code, $metric, $product_code, $description)
