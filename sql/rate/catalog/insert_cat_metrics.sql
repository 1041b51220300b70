INSERT INTO cat_metrics VALUES ($service, $metric, $name, $aggregation, $unit, $filter_json,
                                $group_by,
                                $metric_key)
