INSERT INTO landed_file_checks VALUES ($file_id, $file_path, $size_bytes, $modified_at,
                                       $content_hash, $rows, $status, $error, $missing_columns,
                                       $extra_columns, $has_value_column, $ingestion_id,
                                       $ingested_at, $pushed_at_limit)
