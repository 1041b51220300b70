-- Whether the analysts' copy has odoo_payment_states (a copy published by a version before the
-- payment poll has not): rating.api.analysts stands an empty one in for it otherwise.
SELECT count(*) > 0 AS present
FROM duckdb_tables()
WHERE table_name = 'odoo_payment_states' AND NOT temporary
