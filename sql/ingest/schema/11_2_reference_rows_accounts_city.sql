-- Account links gained the partner's address and language: a warehouse written before
-- has the table without the column (NULL: not given).
ALTER TABLE reference_rows_accounts ADD COLUMN IF NOT EXISTS city VARCHAR
