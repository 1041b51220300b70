-- The table and projection slots come from rating.ingest.tables' fixed column lists. A short line
-- is padded with NULLs (its missing fields then quarantine that row); a line that cannot be
-- decoded goes to csv_reject_errors (rating.ingest.references keeps it as unreadable_line).
INSERT INTO {table}
SELECT $file_path, {projection}
FROM read_csv($file, all_varchar = true, header = true, auto_detect = true, null_padding = true,
              store_rejects = true, rejects_table = 'csv_reject_errors',
              rejects_scan = 'csv_reject_scans')
