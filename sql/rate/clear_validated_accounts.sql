-- Emptied before each rating writes what it used (rate/insert_validated_accounts): the table
-- is kept rather than replaced, so that its comments (COMMENT ON) stay.
DELETE FROM validated_accounts
