-- One CSV file into a raw_* table; read in one thread so that row numbers follow the file.
-- The table and projection slots come from rating.finance.run's fixed column lists.
INSERT INTO {table}
SELECT $file_path, row_number() OVER () - 1, {projection}
FROM read_csv($file, all_varchar = true, header = true, auto_detect = true, parallel = false)
