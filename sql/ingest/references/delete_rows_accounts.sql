DELETE FROM reference_rows_accounts WHERE file_path = $file_path
