INSERT INTO landed_file_checks VALUES ($file_id, $file_rank, $file_path, $rows, $status, $error,
                                       $missing_columns, $extra_columns, $has_value_column)
