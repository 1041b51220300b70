INSERT INTO cat_prices VALUES ($price_id, $charge_id, $effective_from, $model, $included_units,
                               $minimum_amount, $package_size, $package_price, $free_units,
                               $rate, $free_amount, $min_amount, $max_amount)
