-- Emptied before each rating writes what it used (rate/insert_catalog_services): the table
-- is kept rather than replaced, so that its comments (COMMENT ON) stay.
DELETE FROM catalog_services
