-- An empty copy of main's rated_charges, made before the search_path points at rerate: the
-- copy always has the live layout (columns added by ALTER included, in their order).
CREATE OR REPLACE TABLE rerate.rated_charges AS FROM rated_charges LIMIT 0
