-- The API maps a Lago event's external_subscription_id to its account (rating.api.lookup): every
-- row of the landed subscription CSV files, as text, with its file; columns matched by name, so a
-- file with extra columns (a CRM's updated_at) or fewer reads alongside the others.
SELECT *
FROM read_csv($files, all_varchar = true, header = true, union_by_name = true, filename = true)
