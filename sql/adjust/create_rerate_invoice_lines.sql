-- An empty copy of main's invoice_lines, made before the search_path points at rerate: the
-- copy always has the live layout (columns added by ALTER included, in their order).
CREATE OR REPLACE TABLE rerate.invoice_lines AS FROM invoice_lines LIMIT 0
