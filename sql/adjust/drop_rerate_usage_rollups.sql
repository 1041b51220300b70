DROP TABLE IF EXISTS rerate.usage_rollups
