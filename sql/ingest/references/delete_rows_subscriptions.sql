DELETE FROM reference_rows_subscriptions WHERE file_path = $file_path
