-- An empty copy of main's usage_rollups, made before the search_path points at rerate: the
-- copy always has the live layout (columns added by ALTER included, in their order).
CREATE OR REPLACE TABLE rerate.usage_rollups AS FROM usage_rollups LIMIT 0
