-- Every account link in force, from all account-links files (reference_files).
CREATE OR REPLACE TEMP TABLE raw_accounts AS
SELECT * FROM reference_rows_accounts
