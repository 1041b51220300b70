-- DuckDB appends each CSV scan's rejected lines to these tables: start each file afresh.
DROP TABLE IF EXISTS csv_reject_errors
