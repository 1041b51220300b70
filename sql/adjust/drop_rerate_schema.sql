-- Its tables are dropped one by one before (adjust/drop_rerate_*): DROP SCHEMA ... CASCADE of
-- tables written in the same transaction fails that transaction's COMMIT (DuckDB 1.5.5:
-- "Attempting to modify table ... but another transaction has dropped this table").
DROP SCHEMA IF EXISTS rerate
