-- The table and projection slots come from rating.accounts' fixed column lists.
INSERT INTO {table}
SELECT $file_path, {projection}
FROM read_parquet($file)
