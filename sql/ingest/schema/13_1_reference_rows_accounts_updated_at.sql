-- Account links gained a version time (the files' version_at; the API's carry it): a warehouse
-- written before has the table without the column (NULL: older than any version with one).
ALTER TABLE reference_rows_accounts ADD COLUMN IF NOT EXISTS updated_at_text VARCHAR
