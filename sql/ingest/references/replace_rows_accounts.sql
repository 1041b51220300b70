INSERT INTO reference_rows_accounts SELECT * FROM staged_accounts ORDER BY ALL
