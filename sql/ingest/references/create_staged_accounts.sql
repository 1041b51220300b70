-- One account-links file as just read, before it may come into force.
CREATE OR REPLACE TEMP TABLE staged_accounts AS
SELECT * FROM reference_rows_accounts WHERE false
