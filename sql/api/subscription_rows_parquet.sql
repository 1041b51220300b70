-- The API maps a Lago event's external_subscription_id to its account (rating.api.lookup): every
-- row of the landed subscription Parquet files with its file; columns matched by name, so a file
-- with extra columns (a CRM's updated_at) or fewer reads alongside the others.
SELECT *
FROM read_parquet($files, union_by_name = true, filename = true)
