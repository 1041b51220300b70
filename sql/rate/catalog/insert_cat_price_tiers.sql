INSERT INTO cat_price_tiers VALUES ($price_id, $tier, $lower_bound, $upper_bound, $unit_price,
                                    $flat_fee)
